// `/invite#token=…`: joining a workspace with an invitation link, once signed in.
import { refreshWorkspaces } from '../account.js';
import { post } from '../api.js';
import { html } from '../html.js';
import { navigate, workspacePath } from '../router.js';
import { session } from '../session.js';
import { announce, app, useStore } from '../store.js';
import { ErrorMessage, useAction } from '../ui.js';

const KEY = 'teamnotes.invitation';

// Kept in this tab until it is used, through a sign-in or a sign-up on the way.
export function keepInvitation(token) {
  sessionStorage.setItem(KEY, token);
}

// One not yet used: a sign-in through the identity provider comes back to `/`.
export function pendingInvitation() {
  return sessionStorage.getItem(KEY);
}

export function InviteScreen() {
  const { user } = useStore(app);
  const token = pendingInvitation();
  const accept = useAction(async () => {
    const workspace = await post('/invitations/accept', { token });
    sessionStorage.removeItem(KEY);
    await refreshWorkspaces();
    announce(`You joined “${workspace.name}” as ${workspace.role}.`);
    navigate(workspacePath(workspace.id));
  });
  const decline = () => {
    sessionStorage.removeItem(KEY);
    navigate('/');
  };
  return html`<main class="centered" id="main">
    <h1>Join a workspace</h1>
    ${!token && html`<p>This invitation link is incomplete: ask for a new one.</p><p><a href="/">Go to your notes</a></p>`}
    ${token &&
    html`<p>You were invited to a Team Notes workspace. You are signed in as <strong>${user.email || user.id}</strong>.</p>
      <div class="row">
        <button class="primary" type="button" onClick=${() => accept.run()} disabled=${accept.pending}>
          ${accept.pending ? 'Joining…' : 'Accept the invitation'}
        </button>
        <button type="button" onClick=${decline}>Not now</button>
        <button type="button" class="quiet" onClick=${() => session.signOut()}>Use another account</button>
      </div>
      ${accept.error &&
      html`<${ErrorMessage} error=${accept.error} />
        <p class="hint">An invitation works once, for a limited time, and only for the email it names, if it names one.</p>`}`}
  </main>`;
}
