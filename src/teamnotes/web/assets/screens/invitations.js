// Inviting people to a team workspace: a link to pass on, and the pending ones.
import { get, post, remove, under, withQuery } from '../api.js';
import { html, useRef, useState } from '../html.js';
import { announce } from '../store.js';
import { ErrorMessage, Loading, Time, copyText, useAction, useResource } from '../ui.js';

export function invitationLink(token) {
  return `${location.origin}/invite#token=${encodeURIComponent(token)}`;
}

function Created({ invitation }) {
  const field = useRef(null);
  const link = invitationLink(invitation.token);
  const copy = async () => {
    const copied = await copyText(link, field.current);
    announce(copied ? 'Invitation link copied.' : 'Press Ctrl+C to copy the selected link.');
  };
  return html`<div class="created card">
    <label for="invitation-link">Invitation link${invitation.email ? ` for ${invitation.email}` : ''}</label>
    <input id="invitation-link" ref=${field} readonly value=${link} onFocus=${(e) => e.target.select()} />
    <div class="row">
      <button class="primary" type="button" onClick=${copy}>Copy invitation link</button>
    </div>
    <p class="hint">Send it to them yourself; it is shown only now. It works once, and expires <${Time} value=${invitation.expires_at} />.</p>
  </div>`;
}

export function Invitations({ workspace }) {
  const path = under(workspace.id, 'invitations');
  const pending = useResource(() => get(withQuery(path, { limit: 100 })), [path]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('editor');
  const [created, setCreated] = useState(null);
  const roles = workspace.role === 'owner' ? ['viewer', 'editor', 'admin', 'owner'] : ['viewer', 'editor'];
  const invite = useAction(async () => {
    const body = { role };
    if (email.trim()) body.email = email.trim();
    setCreated(await post(path, body));
    setEmail('');
    await pending.reload({ quiet: true });
  });
  const revoke = useAction(async (invitation) => {
    await remove(`${path}/${encodeURIComponent(invitation.id)}`);
    announce('Invitation revoked.');
    await pending.reload({ quiet: true });
  });
  const submit = (event) => {
    event.preventDefault();
    invite.run();
  };
  return html`<section class="invitations" aria-labelledby="invite-heading">
    <h2 id="invite-heading">Invite someone</h2>
    <form class="row" onSubmit=${submit}>
      <div class="field grow">
        <label for="invite-email">Their email (optional: without one, anyone with the link may join)</label>
        <input id="invite-email" type="email" value=${email} onInput=${(e) => setEmail(e.target.value)} />
      </div>
      <div class="field">
        <label for="invite-role">Role</label>
        <select id="invite-role" value=${role} onChange=${(e) => setRole(e.target.value)}>
          ${roles.map((name) => html`<option key=${name} value=${name}>${name}</option>`)}
        </select>
      </div>
      <button class="primary" type="submit" disabled=${invite.pending}>Create invitation</button>
    </form>
    <${ErrorMessage} error=${invite.error} />
    ${created && html`<${Created} invitation=${created} />`}
    <h2>Pending invitations</h2>
    <${ErrorMessage} error=${pending.error || revoke.error} retry=${pending.error ? pending.reload : null} />
    ${!pending.data && !pending.error && html`<${Loading} label="Loading invitations…" />`}
    ${pending.data && pending.data.items.length === 0 && html`<p class="empty">None.</p>`}
    ${pending.data &&
    html`<ul class="plain">
      ${pending.data.items.map(
        (invitation) => html`<li key=${invitation.id} class="row">
          <span>${invitation.email || 'Anyone with the link'} as ${invitation.role}, expires <${Time} value=${invitation.expires_at} /></span>
          <button type="button" class="quiet danger" onClick=${() => revoke.run(invitation)}>Revoke</button>
        </li>`,
      )}
    </ul>`}
  </section>`;
}
