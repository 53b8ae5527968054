// A note's draft, saved as it is typed, never over a version this tab has not seen.
//
// Every save sends `If-Match` with the version the draft started from. When the
// API answers 412, someone saved in between: saving stops and the screen offers
// the choice (keep mine, take theirs, see both) instead of overwriting anything.
import { get, patch, put } from './api.js';
import { useEffect, useRef, useState } from './html.js';

const QUIET_MS = 800;

export function useAutosave(path, { editable }) {
  const [note, setNote] = useState(null);
  const [draft, setDraftState] = useState(null);
  const [status, setStatus] = useState('loading');
  const [error, setError] = useState(null);
  const [conflict, setConflict] = useState(null);
  const [remoteNewer, setRemoteNewer] = useState(false);
  const server = useRef(null);
  const mine = useRef(null);
  const saving = useRef(false);
  const blocked = useRef(false);
  const seenWhileSaving = useRef(null);
  const timer = useRef(null);

  const adopt = (fresh) => {
    server.current = fresh;
    setNote(fresh);
  };
  const replaceDraft = (fresh) => {
    mine.current = { title: fresh.title, content: fresh.content };
    setDraftState(mine.current);
  };
  const unsaved = () =>
    Boolean(mine.current && server.current) &&
    (mine.current.title !== server.current.title || mine.current.content !== server.current.content);

  const load = async () => {
    setStatus('loading');
    setError(null);
    try {
      const fresh = await get(path);
      adopt(fresh);
      replaceDraft(fresh);
      setStatus('saved');
    } catch (failure) {
      setError(failure);
      setStatus(failure.status === 404 ? 'missing' : 'failed');
    }
  };

  const showConflict = async () => {
    blocked.current = true;
    clearTimeout(timer.current);
    try {
      setConflict(await get(path));
      setStatus('conflict');
    } catch (failure) {
      if (failure.status === 404) {
        setStatus('deleted');
        return;
      }
      blocked.current = false;
      setError(failure);
      setStatus('error');
    }
  };

  const settle = () => {
    const seen = seenWhileSaving.current;
    seenWhileSaving.current = null;
    if (seen && seen.version > server.current.version) setRemoteNewer(true);
    if (unsaved()) {
      setStatus('dirty');
      schedule();
    } else setStatus('saved');
  };

  const save = async () => {
    clearTimeout(timer.current);
    if (blocked.current || saving.current || !editable || !unsaved()) return;
    const base = server.current;
    const sent = mine.current;
    if (!sent.title.trim()) {
      setStatus('invalid');
      return;
    }
    const changes = {};
    if (sent.title !== base.title) changes.title = sent.title;
    if (sent.content !== base.content) changes.content = sent.content;
    saving.current = true;
    setStatus('saving');
    setError(null);
    let failed = null;
    try {
      adopt(await patch(path, changes, { ifMatch: base.version }));
    } catch (failure) {
      failed = failure;
    } finally {
      saving.current = false;
    }
    if (!failed) settle();
    else if (failed.status === 412) await showConflict();
    else if (failed.status === 404) {
      blocked.current = true;
      setStatus('deleted');
    } else {
      setError(failed);
      setStatus('error');
    }
  };

  function schedule() {
    clearTimeout(timer.current);
    timer.current = setTimeout(save, QUIET_MS);
  }

  const edit = (field, value) => {
    mine.current = { ...mine.current, [field]: value };
    setDraftState(mine.current);
    if (blocked.current || !editable) return;
    setStatus('dirty');
    schedule();
  };

  // Keep mine: my draft becomes the newest version, on top of theirs.
  const keepMine = async () => {
    const theirs = conflict;
    setError(null);
    try {
      adopt(await put(path, mine.current, { ifMatch: theirs.version }));
    } catch (failure) {
      if (failure.status === 412) await showConflict();
      else setError(failure);
      return;
    }
    blocked.current = false;
    setConflict(null);
    setRemoteNewer(false);
    settle();
  };

  const takeTheirs = () => {
    adopt(conflict);
    replaceDraft(conflict);
    blocked.current = false;
    setConflict(null);
    setRemoteNewer(false);
    setStatus('saved');
  };

  // A change of this note that arrived live (API.md §8).
  const applyRemote = (change) => {
    if (change.action === 'delete') {
      blocked.current = true;
      clearTimeout(timer.current);
      setStatus('deleted');
      return;
    }
    const item = change.item;
    if (!server.current || item.version <= server.current.version) return;
    if (saving.current) seenWhileSaving.current = item;
    else if (blocked.current) {
      if (conflict) setConflict(item);
    } else if (unsaved()) setRemoteNewer(true);
    else {
      adopt(item);
      replaceDraft(item);
    }
  };

  useEffect(() => {
    load();
    const warn = (event) => {
      if (unsaved()) event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => {
      window.removeEventListener('beforeunload', warn);
      // Leaving the screen saves what was typed in the last moment.
      if (timer.current) save();
    };
  }, [path]);

  return {
    note,
    draft,
    status,
    error,
    conflict,
    remoteNewer,
    edit,
    save,
    reload: load,
    keepMine,
    takeTheirs,
    applyRemote,
    replaceWith: (fresh) => {
      adopt(fresh);
      replaceDraft(fresh);
      setStatus('saved');
    },
  };
}
