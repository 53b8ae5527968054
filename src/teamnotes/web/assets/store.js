// App-wide state that several screens read: the user, the workspaces, the stream's state.
import { useEffect, useState } from './html.js';

export function createStore(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    set(patch) {
      state = { ...state, ...patch };
      for (const listener of listeners) listener(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useStore(store) {
  const [state, setState] = useState(store.get());
  useEffect(() => {
    setState(store.get());
    return store.subscribe(setState);
  }, [store]);
  return state;
}

export const app = createStore({
  config: { localAuth: true, providerSignIn: null },
  user: null,
  workspaces: null,
  live: 'off',
  notices: [],
});

let noticeIds = 0;

// A message for the status region: read out by screen readers, gone after a while.
export function announce(text, kind = 'info') {
  noticeIds += 1;
  const id = noticeIds;
  app.set({ notices: [...app.get().notices, { id, text, kind }] });
  setTimeout(() => dismiss(id), kind === 'error' ? 12000 : 6000);
}

export function dismiss(id) {
  app.set({ notices: app.get().notices.filter((notice) => notice.id !== id) });
}
