// The pieces every screen shares: loading and error states, actions, dates, roles.
import { messageOf } from './errors.js';
import { html, useCallback, useEffect, useRef, useState } from './html.js';

export function Loading({ label = 'Loading…' }) {
  return html`<p class="loading" role="status" aria-live="polite">${label}</p>`;
}

export function ErrorMessage({ error, retry }) {
  if (!error) return null;
  return html`<div class="error" role="alert">
    <p>${messageOf(error)}</p>
    ${retry && html`<button type="button" onClick=${() => retry()}>Try again</button>`}
  </div>`;
}

// Data a screen shows: { data, error, loading, reload, setData }. A newer load always
// wins over an older one still under way.
export function useResource(load, deps) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const generation = useRef(0);
  // The newest data at once, for work that follows a reload before the next render.
  const latest = useRef(undefined);
  const reload = useCallback(async ({ quiet = false } = {}) => {
    generation.current += 1;
    const mine = generation.current;
    if (!quiet) setState((previous) => ({ ...previous, loading: true, error: null }));
    try {
      const data = await load();
      if (mine === generation.current) {
        latest.current = data;
        setState({ data, error: null, loading: false });
      }
    } catch (error) {
      if (mine === generation.current) setState((previous) => ({ ...previous, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    reload();
  }, [reload]);
  const setData = (update) => {
    // Newer than any load still under way: that one's answer is dropped.
    generation.current += 1;
    latest.current = typeof update === 'function' ? update(latest.current) : update;
    setState((previous) => ({ ...previous, data: latest.current }));
  };
  return { ...state, reload, setData, latest: () => latest.current };
}

// A button's work: { run, pending, error }, one run at a time.
export function useAction(work) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState(null);
  const busy = useRef(false);
  const run = async (...args) => {
    if (busy.current) return undefined;
    busy.current = true;
    setPending(true);
    setError(null);
    try {
      return await work(...args);
    } catch (failure) {
      setError(failure);
      return undefined;
    } finally {
      busy.current = false;
      setPending(false);
    }
  };
  return { run, pending, error, setError };
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const STEPS = [
  [60, 'second'],
  [60, 'minute'],
  [24, 'hour'],
  [7, 'day'],
  [4.35, 'week'],
  [12, 'month'],
  [Infinity, 'year'],
];

export function formatDateTime(value) {
  return value ? dateTime.format(new Date(value)) : '';
}

export function formatDate(value) {
  return value ? dateOnly.format(new Date(value)) : '';
}

export function ago(value) {
  let amount = (new Date(value).getTime() - Date.now()) / 1000;
  for (const [size, unit] of STEPS) {
    if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit);
    amount /= size;
  }
  return formatDateTime(value);
}

export function Time({ value, label }) {
  if (!value) return null;
  return html`<time datetime=${value} title=${formatDateTime(value)}>${label || ago(value)}</time>`;
}

const RANKS = { viewer: 0, editor: 1, admin: 2, owner: 3 };

// What the caller's role in a workspace lets them do (API.md §7).
export function can(workspace, role) {
  return Boolean(workspace) && RANKS[workspace.role] >= RANKS[role];
}

export const ROLES = ['viewer', 'editor', 'admin', 'owner'];

// Copy to the clipboard, or leave the text selected for Ctrl+C where that is refused.
export async function copyText(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (field) field.select();
    return false;
  }
}
