// The frame around a workspace's screens: switcher, sections, live state, account.
import { workspaceLabel } from './account.js';
import { get, under } from './api.js';
import { html, useEffect } from './html.js';
import { useWorkspaceStream } from './live.js';
import { Link, workspacePath } from './router.js';
import { Editor } from './screens/editor.js';
import { Members } from './screens/members.js';
import { NotesList } from './screens/notes.js';
import { Tasks } from './screens/tasks.js';
import { Trash } from './screens/trash.js';
import { WorkspaceSettings } from './screens/workspace.js';
import { session } from './session.js';
import { app, dismiss, useStore } from './store.js';
import { Switcher } from './switcher.js';
import { ErrorMessage, Loading, useResource } from './ui.js';

const SECTIONS = [
  ['notes', 'Notes'],
  ['tasks', 'Tasks'],
  ['trash', 'Trash'],
  ['members', 'Members'],
  ['settings', 'Workspace'],
];

const LIVE = {
  off: 'Live updates off',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  unavailable: 'Live updates unavailable',
};

function Notices() {
  const { notices } = useStore(app);
  return html`<div class="notices" role="status" aria-live="polite">
    ${notices.map(
      (notice) => html`<p class=${`notice ${notice.kind}`} key=${notice.id}>
        <span>${notice.text}</span>
        <button type="button" class="quiet" aria-label="Dismiss" onClick=${() => dismiss(notice.id)}>
          ×
        </button>
      </p>`,
    )}
  </div>`;
}

function Account({ user }) {
  return html`<div class="account">
    <span class="who" title=${user.email || user.id}>${user.display_name || user.email || 'You'}</span>
    <button type="button" class="quiet" onClick=${() => session.signOut()}>Sign out</button>
  </div>`;
}

function Screen({ route, workspace }) {
  // A new workspace or note is a new screen: nothing of the last one's state stays.
  const key = `${workspace.id}/${route.name}/${route.itemId || ''}`;
  const screens = {
    notes: route.itemId ? Editor : NotesList,
    tasks: Tasks,
    trash: Trash,
    members: Members,
    settings: WorkspaceSettings,
  };
  const Chosen = screens[route.name];
  return html`<${Chosen} key=${key} workspace=${workspace} noteId=${route.itemId} />`;
}

export function Shell({ route }) {
  const { workspaces, user, live } = useStore(app);
  const listed = workspaces.find((workspace) => workspace.id === route.workspaceId);
  // One the list does not show (joined in another tab, say) is read by itself.
  const single = useResource(
    () => (listed ? Promise.resolve(listed) : get(under(route.workspaceId))),
    [route.workspaceId, listed],
  );
  const workspace = listed || single.data;
  useWorkspaceStream(workspace ? workspace.id : null);
  const section = SECTIONS.find(([name]) => name === route.name);
  useEffect(() => {
    // The editor names the page after its note.
    if (workspace && section && !route.itemId) {
      document.title = `${section[1]} – ${workspace.name} – Team Notes`;
    }
  }, [workspace && workspace.name, route.name, route.itemId]);

  let body;
  if (workspace) body = html`<${Screen} route=${route} workspace=${workspace} />`;
  else if (single.error) body = html`<${ErrorMessage} error=${single.error} />`;
  else body = html`<${Loading} />`;

  return html`<div class="shell">
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <${Link} class="brand" href="/">Team Notes</${Link}>
      <${Switcher} workspaces=${workspaces} current=${workspace} />
      <span class=${`live-state ${live}`}>${LIVE[live]}</span>
      <${Account} user=${user} />
    </header>
    ${workspace &&
    html`<nav class="sections" aria-label="Sections of ${workspaceLabel(workspace)}">
      ${SECTIONS.map(
        ([section, label]) => html`<${Link}
          key=${section}
          href=${workspacePath(workspace.id, section)}
          aria-current=${route.name === section ? 'page' : undefined}
          >${label}</${Link}
        >`,
      )}
    </nav>`}
    <main id="main" tabindex="-1">${body}</main>
    <${Notices} />
  </div>`;
}
