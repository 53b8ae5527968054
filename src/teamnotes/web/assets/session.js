// Who is signed in, and the tokens that say so.
//
// The access token lives in this module's memory only. The refresh token (or a
// provider's token, which cannot be refreshed here) is kept in sessionStorage so
// that a reload stays signed in: it is this tab's alone and ends with it. Scripts
// of other origins cannot read it, and under the app's Content-Security-Policy no
// script but the app's own files runs on this origin (README, "Web app").
import { ApiError, errorOf, unreachable } from './errors.js';

const REFRESH = 'teamnotes.refresh_token';
const PROVIDER = 'teamnotes.provider_token';

let access = null;
let renewing = null;
const listeners = new Set();
// Tabs of one login (a duplicated tab copies sessionStorage) pass rotated tokens on,
// so that the other tab never presents a refresh token that was already rotated.
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('teamnotes') : null;

function stored(key) {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key, value) {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Storage refused (a private mode): the session lasts as long as the page.
  }
}

function notify(reason) {
  for (const listener of listeners) listener(reason);
}

async function post(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw unreachable();
  }
  if (!response.ok) throw await errorOf(response);
  return response.status === 204 ? null : response.json();
}

function adopt(pair) {
  const previous = stored(REFRESH);
  access = pair.access_token;
  store(REFRESH, pair.refresh_token);
  store(PROVIDER, null);
  if (channel && previous) {
    channel.postMessage({ type: 'rotated', previous, pair });
  }
}

function clear() {
  access = null;
  store(REFRESH, null);
  store(PROVIDER, null);
}

if (channel) {
  channel.onmessage = ({ data }) => {
    if (!data || data.previous !== stored(REFRESH)) return;
    if (data.type === 'rotated') {
      access = data.pair.access_token;
      store(REFRESH, data.pair.refresh_token);
    } else if (data.type === 'signed-out') {
      clear();
      notify('You signed out in another tab.');
    }
  };
}

export const session = {
  get token() {
    return access;
  },

  get provider() {
    return stored(PROVIDER) !== null;
  },

  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },

  async signIn(email, password) {
    adopt(await post('/auth/token', { email, password }));
  },

  async register(email, password, displayName) {
    const body = { email, password };
    if (displayName) body.display_name = displayName;
    await post('/auth/register', body);
    await session.signIn(email, password);
  },

  // A token an identity provider handed over (`/#provider_token=…`).
  adoptProvider(token) {
    clear();
    access = token;
    store(PROVIDER, token);
  },

  // After a reload: the stored credential, if any, made into an access token.
  async resume() {
    const provider = stored(PROVIDER);
    if (provider) {
      access = provider;
      return true;
    }
    if (!stored(REFRESH)) return false;
    try {
      return await session.renew(null);
    } catch {
      return false;
    }
  },

  // A fresh access token after `failed` was refused; false once the session is over.
  async renew(failed) {
    if (access !== failed && access !== null) return true;
    if (!renewing) {
      renewing = refresh().finally(() => {
        renewing = null;
      });
    }
    return renewing;
  },

  async signOut() {
    const refreshToken = stored(REFRESH);
    clear();
    if (refreshToken) {
      if (channel) channel.postMessage({ type: 'signed-out', previous: refreshToken });
      try {
        await post('/auth/logout', { refresh_token: refreshToken });
      } catch {
        // Signed out here all the same; the token expires by itself.
      }
    }
    notify(null);
  },

  // The API refused the credentials for good: back to the sign-in screen.
  end(reason) {
    clear();
    notify(reason);
  },
};

async function refresh() {
  const refreshToken = stored(REFRESH);
  if (!refreshToken) {
    if (access !== null) session.end('Your sign-in has expired. Sign in again.');
    return false;
  }
  try {
    adopt(await post('/auth/refresh', { refresh_token: refreshToken }));
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      session.end('Your session has ended. Sign in again.');
      return false;
    }
    throw error;
  }
}
