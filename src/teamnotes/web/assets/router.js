// The app's own addresses, resolved in the browser: the server answers every
// /app/… path with the same page (README, "Web app").
import { html, useEffect, useState } from './html.js';

const CHANGED = 'teamnotes:navigate';

// A route: its name and parameters, from a path such as /app/w/ID/notes/ID.
export function parse(pathname) {
  if (pathname === '/' || pathname === '/app' || pathname === '/app/') return { name: 'home' };
  if (pathname === '/invite') return { name: 'invite' };
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'app' && parts[1] === 'w' && parts[2]) {
    const [, , workspaceId, section = 'notes', itemId] = parts;
    const sections = ['notes', 'tasks', 'trash', 'members', 'settings'];
    const fits = parts.length <= 5 && (itemId === undefined || section === 'notes');
    if (sections.includes(section) && fits) {
      return { name: section, workspaceId, itemId: itemId || null };
    }
  }
  return { name: 'not-found' };
}

export function workspacePath(workspaceId, section = 'notes', itemId = null) {
  const base = `/app/w/${encodeURIComponent(workspaceId)}/${section}`;
  return itemId ? `${base}/${encodeURIComponent(itemId)}` : base;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(CHANGED));
  if (!replace) window.scrollTo(0, 0);
}

// The query string's values, and a way to change them without a new history entry.
export function useQuery() {
  const read = () => Object.fromEntries(new URLSearchParams(location.search));
  const [query, setQuery] = useState(read);
  useEffect(() => {
    const update = () => setQuery(read());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGED, update);
    };
  }, []);
  const change = (values) => {
    const params = new URLSearchParams(location.search);
    for (const [name, value] of Object.entries(values)) {
      if (value === '' || value === null || value === undefined) params.delete(name);
      else params.set(name, value);
    }
    const text = params.toString();
    history.replaceState(null, '', `${location.pathname}${text ? `?${text}` : ''}`);
    setQuery(read());
  };
  return [query, change];
}

export function useRoute() {
  const [route, setRoute] = useState(() => parse(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parse(location.pathname));
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGED, update);
    };
  }, []);
  return route;
}

// A real link (it opens in a new tab, it is announced as a link) that moves
// within the app without a reload.
export function Link({ href, children, ...rest }) {
  const follow = (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${follow} ...${rest}>${children}</a>`;
}
