// A workspace's notes: search, sort, and a new one.
import { get, idempotencyKey, post, under, withQuery } from '../api.js';
import { html, useEffect, useState } from '../html.js';
import { useRereadOnChange } from '../live.js';
import { Link, navigate, useQuery, workspacePath } from '../router.js';
import { ErrorMessage, Loading, Time, can, useAction, useResource } from '../ui.js';

const PAGE = 50;
export const NEW_TITLE = 'Untitled note';
const SORTS = [
  ['-updated_at', 'Last edited first'],
  ['updated_at', 'Last edited last'],
  ['-created_at', 'Newest first'],
  ['created_at', 'Oldest first'],
  ['title', 'Title, A to Z'],
  ['-title', 'Title, Z to A'],
];

// Every page up to `count` items of a list, in one array (the API pages by 100 at most).
export async function loadPages(path, query, count) {
  const items = [];
  let total = 0;
  for (let offset = 0; offset < count; offset += 100) {
    const page = await get(withQuery(path, { ...query, limit: Math.min(100, count - offset), offset }));
    items.push(...page.items);
    total = page.total;
    if (items.length >= total) break;
  }
  return { items, total };
}

export function excerpt(content) {
  const line = content.split('\n').find((text) => text.trim() && !text.startsWith('#')) || '';
  return line.length > 140 ? `${line.slice(0, 140)}…` : line;
}

// The search box: the list follows what is typed, a moment after the typing stops.
function useSearch(query, setQuery) {
  const [typed, setTyped] = useState(query.q || '');
  useEffect(() => {
    const timer = setTimeout(() => {
      if (typed.trim() !== (query.q || '')) setQuery({ q: typed.trim() });
    }, 300);
    return () => clearTimeout(timer);
  }, [typed]);
  return [typed, setTyped];
}

export function NotesList({ workspace }) {
  const [query, setQuery] = useQuery();
  const [typed, setTyped] = useSearch(query, setQuery);
  const [count, setCount] = useState(PAGE);
  const q = query.q || '';
  const sort = query.sort || (q ? '' : '-updated_at');
  const notes = useResource(
    () => loadPages(under(workspace.id, 'notes'), { q, sort }, count),
    [workspace.id, q, sort, count],
  );
  useRereadOnChange(notes, (change) => change.kind === 'note');
  const create = useAction(async () => {
    const note = await post(
      under(workspace.id, 'notes'),
      { title: NEW_TITLE, content: '' },
      { headers: { 'Idempotency-Key': idempotencyKey() } },
    );
    navigate(workspacePath(workspace.id, 'notes', note.id));
  });

  const list = notes.data;
  return html`<section class="notes" aria-labelledby="notes-heading">
    <div class="heading-row">
      <h1 id="notes-heading">Notes</h1>
      ${can(workspace, 'editor') &&
      html`<button class="primary" type="button" onClick=${() => create.run()} disabled=${create.pending}>
        ${create.pending ? 'Creating…' : 'New note'}
      </button>`}
    </div>
    <${ErrorMessage} error=${create.error} />
    <form class="toolbar" role="search" onSubmit=${(event) => event.preventDefault()}>
      <div class="field">
        <label for="note-search">Search notes</label>
        <input id="note-search" type="search" value=${typed} onInput=${(event) => setTyped(event.target.value)} />
      </div>
      <div class="field">
        <label for="note-sort">Sort</label>
        <select id="note-sort" value=${sort} onChange=${(event) => setQuery({ sort: event.target.value })}>
          ${q && html`<option value="">Best match</option>`}
          ${SORTS.map(([value, label]) => html`<option key=${value} value=${value}>${label}</option>`)}
        </select>
      </div>
    </form>
    <${ErrorMessage} error=${notes.error} retry=${notes.reload} />
    ${notes.loading && !list && html`<${Loading} label="Loading notes…" />`}
    ${list &&
    html`<p class="count" aria-live="polite">
      ${q ? `${list.total} notes match “${q}”` : `${list.total} notes`}
    </p>`}
    ${list && list.items.length === 0 && !q && html`<p class="empty">No notes yet.</p>`}
    ${list &&
    html`<ul class="cards" aria-busy=${notes.loading ? 'true' : 'false'}>
      ${list.items.map(
        (note) => html`<li key=${note.id} class="card note-card">
          <${Link} href=${workspacePath(workspace.id, 'notes', note.id)}>${note.title}</${Link}>
          <p class="excerpt">${excerpt(note.content)}</p>
          <p class="meta">Edited <${Time} value=${note.updated_at} /></p>
        </li>`,
      )}
    </ul>`}
    ${list &&
    list.items.length < list.total &&
    html`<button type="button" onClick=${() => setCount(count + PAGE)}>Show more notes</button>`}
  </section>`;
}
