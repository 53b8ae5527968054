// Which workspace is on screen, and a new one.
import { refreshWorkspaces, workspaceLabel } from './account.js';
import { post } from './api.js';
import { html, useState } from './html.js';
import { navigate, workspacePath } from './router.js';
import { announce } from './store.js';
import { ErrorMessage, useAction } from './ui.js';

function NewWorkspace({ onClose }) {
  const [name, setName] = useState('');
  const create = useAction(async () => {
    const workspace = await post('/workspaces', { name: name.trim() });
    await refreshWorkspaces();
    announce(`Workspace “${workspace.name}” created.`);
    onClose();
    navigate(workspacePath(workspace.id));
  });
  const submit = (event) => {
    event.preventDefault();
    create.run();
  };
  return html`<form class="new-workspace card" onSubmit=${submit} aria-label="New workspace">
    <label for="new-workspace-name">Name of the new workspace</label>
    <input
      id="new-workspace-name"
      required
      maxlength="100"
      value=${name}
      onInput=${(event) => setName(event.target.value)}
    />
    <${ErrorMessage} error=${create.error} />
    <div class="row">
      <button class="primary" type="submit" disabled=${create.pending}>
        ${create.pending ? 'Creating…' : 'Create workspace'}
      </button>
      <button type="button" onClick=${onClose}>Cancel</button>
    </div>
  </form>`;
}

export function Switcher({ workspaces, current }) {
  const [creating, setCreating] = useState(false);
  const choose = (event) => navigate(workspacePath(event.target.value));
  return html`<div class="switcher">
    <label for="workspace-switcher" class="visually-hidden">Workspace</label>
    <select id="workspace-switcher" value=${current ? current.id : ''} onChange=${choose}>
      ${!current && html`<option value="">Choose a workspace</option>`}
      ${workspaces.map(
        (workspace) =>
          html`<option key=${workspace.id} value=${workspace.id}>${workspaceLabel(workspace)}</option>`,
      )}
    </select>
    <button
      type="button"
      aria-expanded=${creating ? 'true' : 'false'}
      onClick=${() => setCreating(!creating)}
    >
      New workspace
    </button>
    ${creating && html`<${NewWorkspace} onClose=${() => setCreating(false)} />`}
  </div>`;
}
