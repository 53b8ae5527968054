"""Authorization as data: the role each operation needs in its workspace (API.md §7).

Keyed by the handler's name, the same under every path style. The access
dependencies read it for every request, the authorization matrix test reads it for
every route, and a route under a workspace without an entry here fails at start-up.
Where the rule depends on more than the caller's role (changing a member, leaving),
this is the least role, and the service checks the rest.
"""

from teamnotes.workspaces.gate import Role

REQUIRED_ROLE: dict[str, Role] = {
    # the workspace itself and its people
    "read_workspace": "viewer",
    "update_workspace": "admin",
    "delete_workspace": "owner",
    "list_members": "viewer",
    "update_member": "admin",
    "remove_member": "viewer",  # anyone may leave; removing others needs an admin
    "create_invitation": "admin",
    "list_invitations": "admin",
    "revoke_invitation": "admin",
    # notes
    "list_notes": "viewer",
    "read_note": "viewer",
    "render_note": "viewer",
    "create_note": "editor",
    "replace_note": "editor",
    "update_note": "editor",
    "delete_note": "editor",
    "move_note": "editor",
    "list_links": "viewer",
    "create_link": "editor",
    "revoke_link": "editor",
    "list_revisions": "viewer",
    "read_revision": "viewer",
    "restore_revision": "editor",
    # tasks
    "list_tasks": "viewer",
    "read_task": "viewer",
    "create_task": "editor",
    "replace_task": "editor",
    "update_task": "editor",
    "complete_task": "editor",
    "delete_task": "editor",
    "move_task": "editor",
    # the trash
    "list_trash": "viewer",
    "restore_item": "editor",
    "purge_item": "admin",
    "empty_trash": "admin",
    # the change feed
    "list_changes": "viewer",
    "stream_events": "viewer",
}
