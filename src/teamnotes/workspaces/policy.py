"""Authorization as data: the role each operation needs in its workspace (API.md §7),
and what an API key may do at all (§11).

Keyed by the handler's name, the same under every path style. The access
dependencies read it for every request, the authorization matrix test reads it for
every route, and a route under a workspace without an entry here fails at start-up.
Where the rule depends on more than the caller's role (changing a member, leaving),
this is the least role, and the service checks the rest.
"""

from teamnotes.auth.principal import KeyScope
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
    # export and import
    "export_workspace": "viewer",
    "import_workspace": "editor",
    # webhooks
    "create_webhook": "admin",
    "list_webhooks": "admin",
    "read_webhook": "admin",
    "update_webhook": "admin",
    "delete_webhook": "admin",
    "list_deliveries": "admin",
}

KEY_SCOPE: dict[str, KeyScope] = {
    # reading: every GET on workspaces, members, notes, tasks, links, trash, revisions,
    # changes, events and exports
    "list_workspaces": "read",
    "read_workspace": "read",
    "list_members": "read",
    "list_notes": "read",
    "read_note": "read",
    "render_note": "read",
    "list_links": "read",
    "list_tasks": "read",
    "read_task": "read",
    "list_trash": "read",
    "list_changes": "read",
    "stream_events": "read",
    "list_revisions": "read",
    "read_revision": "read",
    "export_workspace": "read",
    # writing notes and tasks, as far as the user's role allows
    "create_note": "write",
    "replace_note": "write",
    "update_note": "write",
    "delete_note": "write",
    "move_note": "write",
    "create_link": "write",
    "revoke_link": "write",
    "create_task": "write",
    "replace_task": "write",
    "update_task": "write",
    "complete_task": "write",
    "delete_task": "write",
    "move_task": "write",
    "restore_item": "write",
    "purge_item": "write",
    "empty_trash": "write",
    "restore_revision": "write",
    "import_workspace": "write",
}
"""What an API key may do (API.md §11), by handler name: a `read` key the `read`
entries, a `write` key both. A route without an entry is 403 to every key: all of
`/auth/*`, workspaces' creation, renaming and deletion, members, invitations,
webhooks."""
