// Who is in a workspace, with which role; and who may change that (API.md §7).
import { refreshWorkspaces } from '../account.js';
import { get, patch, remove, under, withQuery } from '../api.js';
import { html } from '../html.js';
import { navigate } from '../router.js';
import { announce, app, useStore } from '../store.js';
import { ErrorMessage, Loading, ROLES, Time, can, useAction, useResource } from '../ui.js';
import { Invitations } from './invitations.js';

// The roles the caller may give this member: an owner any; an admin editor or viewer
// to an editor or a viewer; nobody else any.
function grantable(workspace, member) {
  if (workspace.role === 'owner') return ROLES;
  if (workspace.role === 'admin' && ['editor', 'viewer'].includes(member.role)) return ['viewer', 'editor'];
  return [];
}

function MemberRow({ workspace, member, me, actions }) {
  const roles = grantable(workspace, member);
  const self = member.user_id === me.id;
  const id = `role-${member.user_id}`;
  return html`<tr>
    <th scope="row">
      ${member.display_name || member.email || member.user_id}${self ? ' (you)' : ''}
      ${member.display_name && member.email && html`<span class="meta">${member.email}</span>`}
    </th>
    <td>
      ${roles.length && !self
        ? html`<label for=${id} class="visually-hidden">Role of ${member.email || member.user_id}</label>
            <select id=${id} value=${member.role} onChange=${(e) => actions.role(member, e.target.value)}>
              ${roles.map((role) => html`<option key=${role} value=${role}>${role}</option>`)}
            </select>`
        : member.role}
    </td>
    <td class="wide-only"><${Time} value=${member.joined_at} /></td>
    <td>
      ${self && !workspace.personal && html`<button type="button" class="quiet danger" onClick=${() => actions.leave(member)}>Leave</button>`}
      ${!self &&
      roles.length > 0 &&
      html`<button type="button" class="quiet danger" onClick=${() => actions.remove(member)}>
        Remove<span class="visually-hidden"> ${member.email || member.user_id}</span>
      </button>`}
    </td>
  </tr>`;
}

export function Members({ workspace }) {
  const { user } = useStore(app);
  const path = under(workspace.id, 'members');
  const members = useResource(() => get(withQuery(path, { limit: 100 })), [path]);
  const one = (member) => `${path}/${encodeURIComponent(member.user_id)}`;
  const act = useAction(async (work) => {
    try {
      await work();
    } finally {
      await members.reload({ quiet: true });
    }
  });
  const actions = {
    role: (member, role) =>
      act.run(async () => {
        await patch(one(member), { role });
        announce(`${member.email || 'The member'} is now ${role}.`);
      }),
    remove: (member) =>
      act.run(async () => {
        await remove(one(member));
        announce(`${member.email || 'The member'} was removed.`);
      }),
    leave: (member) =>
      act.run(async () => {
        await remove(one(member));
        await refreshWorkspaces();
        announce(`You left “${workspace.name}”.`);
        navigate('/');
      }),
  };
  return html`<section class="members" aria-labelledby="members-heading">
    <h1 id="members-heading">Members of ${workspace.name}</h1>
    ${workspace.personal && html`<p class="hint">A personal workspace is yours alone. Create a team workspace to work with others.</p>`}
    <${ErrorMessage} error=${members.error} retry=${members.reload} />
    <${ErrorMessage} error=${act.error} />
    ${!members.data && !members.error && html`<${Loading} label="Loading members…" />`}
    ${members.data &&
    html`<div class="table-scroll">
      <table>
        <caption class="visually-hidden">Members and their roles</caption>
        <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col" class="wide-only">Joined</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          ${members.data.items.map(
            (member) => html`<${MemberRow} key=${member.user_id} workspace=${workspace} member=${member} me=${user} actions=${actions} />`,
          )}
        </tbody>
      </table>
    </div>`}
    ${!workspace.personal && can(workspace, 'admin') && html`<${Invitations} workspace=${workspace} />`}
  </section>`;
}
