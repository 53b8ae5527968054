// A workspace as a whole: its name, export and import (API.md §10), deleting it.
import { refreshWorkspaces } from '../account.js';
import { idempotencyKey, patch, post, remove, send, under } from '../api.js';
import { html, useState } from '../html.js';
import { navigate } from '../router.js';
import { announce } from '../store.js';
import { ErrorMessage, can, useAction } from '../ui.js';

function filenameOf(response, fallback) {
  const disposition = response.headers.get('Content-Disposition') || '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : fallback;
}

// The export needs the bearer header, so it is fetched, then handed to the browser
// as a download of its own.
async function download(workspace) {
  const response = await send('GET', under(workspace.id, 'export'), { headers: { Accept: 'application/zip' } });
  const blob = await response.blob();
  const address = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = address;
  anchor.download = filenameOf(response, `${workspace.name}.zip`);
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(address), 60000);
}

function Rename({ workspace }) {
  const [name, setName] = useState(workspace.name);
  const rename = useAction(async () => {
    const renamed = await patch(under(workspace.id), { name: name.trim() }, { ifMatch: workspace.version });
    await refreshWorkspaces();
    announce(`Renamed to “${renamed.name}”.`);
  });
  const submit = (event) => {
    event.preventDefault();
    rename.run();
  };
  return html`<form class="row" onSubmit=${submit}>
    <div class="field grow">
      <label for="workspace-name">Workspace name</label>
      <input id="workspace-name" required maxlength="100" value=${name} onInput=${(e) => setName(e.target.value)} />
    </div>
    <button type="submit" disabled=${rename.pending || name.trim() === workspace.name}>Rename</button>
    <${ErrorMessage} error=${rename.error} />
  </form>`;
}

function Import({ workspace }) {
  const [file, setFile] = useState(null);
  const [result, setResult] = useState(null);
  const load = useAction(async () => {
    setResult(null);
    const counts = await post(under(workspace.id, 'import'), undefined, {
      body: file,
      headers: { 'Content-Type': 'application/zip', 'Idempotency-Key': idempotencyKey() },
    });
    setResult(counts);
    announce(`Imported ${counts.notes} notes and ${counts.tasks} tasks.`);
  });
  const submit = (event) => {
    event.preventDefault();
    if (file) load.run();
  };
  return html`<form class="stack" onSubmit=${submit}>
    <div class="field">
      <label for="import-file">A zip: a Team Notes export, or any folder of Markdown files</label>
      <input id="import-file" type="file" accept=".zip,application/zip" onChange=${(e) => setFile(e.target.files[0] || null)} />
    </div>
    <div class="row">
      <button type="submit" disabled=${!file || load.pending}>${load.pending ? 'Importing…' : 'Import'}</button>
    </div>
    <${ErrorMessage} error=${load.error} />
    ${result &&
    html`<p class="notice" role="status">
      Imported ${result.notes} notes and ${result.tasks} tasks${result.skipped ? `; ${result.skipped} other files skipped` : ''}.
    </p>`}
  </form>`;
}

function Delete({ workspace }) {
  const [confirming, setConfirming] = useState(false);
  const drop = useAction(async () => {
    await remove(under(workspace.id), { ifMatch: workspace.version });
    await refreshWorkspaces();
    announce(`Workspace “${workspace.name}” deleted.`);
    navigate('/');
  });
  if (!confirming) {
    return html`<button type="button" class="danger" onClick=${() => setConfirming(true)}>Delete this workspace</button>`;
  }
  return html`<div class="confirm card" role="group" aria-label="Delete the workspace">
    <p>Delete “${workspace.name}” with all its notes, tasks and trash, for everyone? This cannot be undone.</p>
    <div class="row">
      <button type="button" class="danger" onClick=${() => drop.run()} disabled=${drop.pending}>Delete it for good</button>
      <button type="button" onClick=${() => setConfirming(false)}>Cancel</button>
    </div>
    <${ErrorMessage} error=${drop.error} />
  </div>`;
}

export function WorkspaceSettings({ workspace }) {
  const exporting = useAction(() => download(workspace));
  return html`<section class="settings" aria-labelledby="settings-heading">
    <h1 id="settings-heading">Workspace</h1>
    <p class="meta">${workspace.personal ? 'Your personal workspace' : 'A team workspace'}; your role: ${workspace.role}.</p>
    ${can(workspace, 'admin') && html`<section class="card" aria-labelledby="rename-heading"><h2 id="rename-heading">Name</h2><${Rename} workspace=${workspace} /></section>`}
    <section class="card" aria-labelledby="export-heading">
      <h2 id="export-heading">Export</h2>
      <p>Every note as a Markdown file and the tasks as JSON, in one zip.</p>
      <button type="button" onClick=${() => exporting.run()} disabled=${exporting.pending}>
        ${exporting.pending ? 'Preparing the export…' : 'Export as zip'}
      </button>
      <${ErrorMessage} error=${exporting.error} />
    </section>
    ${can(workspace, 'editor') &&
    html`<section class="card" aria-labelledby="import-heading"><h2 id="import-heading">Import</h2><${Import} workspace=${workspace} /></section>`}
    ${!workspace.personal &&
    workspace.role === 'owner' &&
    html`<section class="card" aria-labelledby="delete-heading"><h2 id="delete-heading">Delete</h2><${Delete} workspace=${workspace} /></section>`}
  </section>`;
}
