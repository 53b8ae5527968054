// What was deleted from a workspace (API.md §9): restore it, or let it go for good.
import { get, post, remove, under, withQuery } from '../api.js';
import { html, useState } from '../html.js';
import { useRereadOnChange } from '../live.js';
import { announce } from '../store.js';
import { ErrorMessage, Loading, Time, can, formatDate, useAction, useResource } from '../ui.js';

export function Trash({ workspace }) {
  const path = under(workspace.id, 'trash');
  const trash = useResource(() => get(withQuery(path, { limit: 100 })), [path]);
  const [confirming, setConfirming] = useState(false);
  const editable = can(workspace, 'editor');
  const purging = can(workspace, 'admin');
  useRereadOnChange(trash, () => true);
  const restore = useAction(async (item) => {
    await post(`${path}/${encodeURIComponent(item.id)}/restore`);
    announce(`“${item.title}” restored.`);
    await trash.reload({ quiet: true });
  });
  const purge = useAction(async (item) => {
    await remove(`${path}/${encodeURIComponent(item.id)}`);
    announce(`“${item.title}” deleted for good.`);
    await trash.reload({ quiet: true });
  });
  const empty = useAction(async () => {
    await remove(path);
    setConfirming(false);
    announce('The trash is empty.');
    await trash.reload({ quiet: true });
  });
  const items = trash.data ? trash.data.items : null;
  return html`<section class="trash" aria-labelledby="trash-heading">
    <div class="heading-row">
      <h1 id="trash-heading">Trash</h1>
      ${purging &&
      items &&
      items.length > 0 &&
      !confirming &&
      html`<button type="button" class="danger" onClick=${() => setConfirming(true)}>Empty trash</button>`}
    </div>
    ${confirming &&
    html`<div class="confirm card" role="group" aria-label="Empty the trash">
      <p>Delete all ${trash.data.total} items in the trash for good? This cannot be undone.</p>
      <div class="row">
        <button type="button" class="danger" onClick=${() => empty.run()} disabled=${empty.pending}>Delete them for good</button>
        <button type="button" onClick=${() => setConfirming(false)}>Cancel</button>
      </div>
    </div>`}
    <${ErrorMessage} error=${trash.error} retry=${trash.reload} />
    <${ErrorMessage} error=${restore.error || purge.error || empty.error} />
    ${!items && !trash.error && html`<${Loading} label="Loading the trash…" />`}
    ${items && items.length === 0 && html`<p class="empty">The trash is empty.</p>`}
    ${items &&
    html`<ul class="cards">
      ${items.map(
        (item) => html`<li key=${item.id} class="card trash-item">
          <p><span class="kind">${item.kind === 'note' ? 'Note' : 'Task'}</span> ${item.title}</p>
          <p class="meta">
            Deleted <${Time} value=${item.deleted_at} />${item.purge_at ? `, gone for good on ${formatDate(item.purge_at)}` : ''}
          </p>
          <div class="row">
            ${editable &&
            html`<button type="button" aria-label=${`Restore “${item.title}”`} onClick=${() => restore.run(item)} disabled=${restore.pending}>
              Restore
            </button>`}
            ${purging &&
            html`<button type="button" class="danger" aria-label=${`Delete for good: “${item.title}”`} onClick=${() => purge.run(item)} disabled=${purge.pending}>
              Delete for good
            </button>`}
          </div>
        </li>`,
      )}
    </ul>`}
    <p class="hint">Deleted notes and tasks stay here for a while, then go for good by themselves.</p>
  </section>`;
}
