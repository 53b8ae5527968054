// The API client: every request the app makes goes through `send`. It adds the
// bearer token, renews it once when the API says it expired, and turns every
// failure into an ApiError that carries the contract's `detail`.
import { errorOf, unreachable } from './errors.js';
import { session } from './session.js';

function prepare(options) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  let { body } = options;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  if (options.ifMatch !== undefined && options.ifMatch !== null) {
    headers['If-Match'] = `"${options.ifMatch}"`;
  }
  return { headers, body };
}

async function attempt(method, path, prepared, signal) {
  const token = session.token;
  const headers = { ...prepared.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    const response = await fetch(path, { method, headers, body: prepared.body, signal });
    return { response, token };
  } catch (error) {
    if (signal && signal.aborted) throw error;
    throw unreachable();
  }
}

// The Response of a successful request; an ApiError otherwise.
export async function send(method, path, options = {}) {
  const prepared = prepare(options);
  let { response, token } = await attempt(method, path, prepared, options.signal);
  if (response.status === 401 && token && (await session.renew(token))) {
    ({ response } = await attempt(method, path, prepared, options.signal));
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

// The parsed JSON body (null for a 204).
export async function api(method, path, options = {}) {
  const response = await send(method, path, options);
  if (response.status === 204) return null;
  return response.json();
}

export const get = (path, options) => api('GET', path, options);
export const post = (path, json, options = {}) => api('POST', path, { ...options, json });
export const patch = (path, json, options = {}) => api('PATCH', path, { ...options, json });
export const put = (path, json, options = {}) => api('PUT', path, { ...options, json });
export const remove = (path, options) => api('DELETE', path, options);

// A fresh Idempotency-Key. From getRandomValues, which (unlike crypto.randomUUID)
// pages served over plain http from another host than localhost have too.
export function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

// `/path?a=1&b=2`, leaving out empty values.
export function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

// Where a workspace's things live: every screen speaks the /workspaces/{id} paths.
export function under(workspaceId, ...parts) {
  const tail = parts.map((part) => `/${encodeURIComponent(part)}`).join('');
  return `/workspaces/${encodeURIComponent(workspaceId)}${tail}`;
}
