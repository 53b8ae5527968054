// A note's revisions (API.md §9): read an earlier version, and bring it back.
import { get, post, withQuery } from '../api.js';
import { html, useState } from '../html.js';
import { announce } from '../store.js';
import { ErrorMessage, Loading, Time, useAction, useResource } from '../ui.js';

function Revision({ path, version, current, editable, onRestore, restoring }) {
  const revision = useResource(() => get(`${path}/revisions/${version}`), [path, version]);
  if (revision.error) return html`<${ErrorMessage} error=${revision.error} retry=${revision.reload} />`;
  if (!revision.data) return html`<${Loading} label="Loading the revision…" />`;
  return html`<div class="revision card">
    <h3>Version ${version}: ${revision.data.title}</h3>
    <pre class="version-content">${revision.data.content || '(empty)'}</pre>
    ${editable &&
    !current &&
    html`<button class="primary" type="button" disabled=${restoring} onClick=${() => onRestore(version)}>
      ${restoring ? 'Restoring…' : `Restore version ${version}`}
    </button>`}
  </div>`;
}

export function History({ path, note, editable, onRestored }) {
  const revisions = useResource(
    () => get(withQuery(`${path}/revisions`, { limit: 100 })),
    [path, note.version],
  );
  const [open, setOpen] = useState(null);
  const restore = useAction(async (version) => {
    const restored = await post(`${path}/revisions/${version}/restore`, undefined, {
      ifMatch: note.version,
    });
    onRestored(restored);
    setOpen(null);
    announce(`Version ${version} restored as version ${restored.version}.`);
  });
  return html`<section class="history card" aria-labelledby="history-heading">
    <h2 id="history-heading">History</h2>
    <${ErrorMessage} error=${revisions.error} retry=${revisions.reload} />
    <${ErrorMessage} error=${restore.error} />
    ${!revisions.data && !revisions.error && html`<${Loading} label="Loading the history…" />`}
    ${revisions.data &&
    html`<ol class="revisions">
      ${revisions.data.items.map(
        (revision) => html`<li key=${revision.version}>
          <button
            type="button"
            class="link"
            aria-expanded=${open === revision.version ? 'true' : 'false'}
            onClick=${() => setOpen(open === revision.version ? null : revision.version)}
          >
            Version ${revision.version}${revision.version === note.version ? ' (current)' : ''}
          </button>
          <span class="meta">
            “${revision.title}”, <${Time} value=${revision.updated_at} />, ${revision.content_length} characters
          </span>
          ${open === revision.version &&
          html`<${Revision}
            path=${path}
            version=${revision.version}
            current=${revision.version === note.version}
            editable=${editable}
            restoring=${restore.pending}
            onRestore=${restore.run}
          />`}
        </li>`,
      )}
    </ol>`}
  </section>`;
}
