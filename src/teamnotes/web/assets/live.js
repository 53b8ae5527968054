// Live changes of the open workspace, from GET …/events (API.md §8).
//
// EventSource cannot send the bearer header, so the stream is read with fetch. A
// stream that ends (the token expired, the network went away, the server
// restarted) is opened again with Last-Event-ID, so no change is missed.
import { send, under } from './api.js';
import { ApiError } from './errors.js';
import { useEffect, useRef } from './html.js';
import { app } from './store.js';

const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30000;

// Feeds `onEvent({id, event, data})` from the text of a stream, chunk by chunk.
export function eventParser(onEvent) {
  let buffer = '';
  let fields = { data: [], event: 'message', id: undefined };
  const dispatch = () => {
    if (fields.data.length) {
      onEvent({ id: fields.id, event: fields.event, data: fields.data.join('\n') });
    }
    fields = { data: [], event: 'message', id: undefined };
  };
  return (chunk) => {
    buffer += chunk;
    // A CR at the very end may be the first half of a CRLF that the next chunk ends.
    const held = buffer.endsWith('\r') ? '\r' : '';
    const lines = (held ? buffer.slice(0, -1) : buffer).split(/\r\n|\r|\n/);
    buffer = lines.pop() + held;
    for (const line of lines) {
      if (line === '') dispatch();
      else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (name === 'data') fields.data.push(value);
        else if (name === 'event') fields.event = value;
        else if (name === 'id' && !value.includes('\0')) fields.id = value;
      }
    }
  };
}

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

// Follows a workspace's events until the returned function is called.
export function follow(workspaceId, onChange, onState) {
  const stopper = new AbortController();
  let lastEventId = null;
  const parse = eventParser((message) => {
    if (message.id !== undefined) lastEventId = message.id;
    if (message.event === 'change') onChange(JSON.parse(message.data));
  });

  const once = async () => {
    const headers = { Accept: 'text/event-stream' };
    if (lastEventId !== null) headers['Last-Event-ID'] = lastEventId;
    const response = await send('GET', under(workspaceId, 'events'), {
      headers,
      signal: stopper.signal,
    });
    onState('live');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parse(value);
    }
  };

  (async () => {
    let wait = FIRST_RETRY_MS;
    while (!stopper.signal.aborted) {
      const opened = Date.now();
      try {
        await once();
      } catch (error) {
        if (stopper.signal.aborted) return;
        // No such route, or no access any more: nothing to reconnect to.
        if (error instanceof ApiError && [401, 403, 404].includes(error.status)) {
          onState('unavailable');
          return;
        }
      }
      if (stopper.signal.aborted) return;
      onState('reconnecting');
      // A stream that lasted a while was healthy: start the back-off over.
      if (Date.now() - opened > LAST_RETRY_MS) wait = FIRST_RETRY_MS;
      await sleep(wait, stopper.signal);
      wait = Math.min(wait * 2, LAST_RETRY_MS);
    }
  })();
  return () => stopper.abort();
}

const subscribers = new Set();
let following = null;

// Opens the stream of the workspace on screen (one per tab), closing the last one's.
export function useWorkspaceStream(workspaceId) {
  useEffect(() => {
    if (!workspaceId) return undefined;
    app.set({ live: 'connecting' });
    const stop = follow(
      workspaceId,
      (change) => {
        for (const subscriber of subscribers) subscriber(change);
      },
      (state) => {
        if (following === stop) app.set({ live: state });
      },
    );
    following = stop;
    return () => {
      stop();
      if (following === stop) {
        following = null;
        app.set({ live: 'off' });
      }
    };
  }, [workspaceId]);
}

const QUIET_MS = 250;

// Rereads `resource` (quietly) a moment after changes that `concerns` stop coming:
// a burst, such as an import, costs one reread; none while `busy()` (the screen's own
// writes are under way, and it rereads after them).
export function useRereadOnChange(resource, concerns, busy = () => false) {
  const timer = useRef(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  const later = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => (busy() ? later() : resource.reload({ quiet: true })), QUIET_MS);
  };
  useChanges((change) => {
    if (concerns(change)) later();
  });
}

// Calls `handler(change)` for every change of the open workspace while mounted.
export function useChanges(handler) {
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => {
    const subscriber = (change) => current.current(change);
    subscribers.add(subscriber);
    return () => subscribers.delete(subscriber);
  }, []);
}
