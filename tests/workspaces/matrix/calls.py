"""How to call each route under a workspace: its body, whose user id it names, and in
which workspace, keyed by the handler's name as `REQUIRED_ROLE` is."""

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.workspaces.matrix.world import World


@dataclass(frozen=True)
class Call:
    """How to call a route: its body, whose user id `{user_id}` is, in which workspace."""

    body: Callable[["World"], Any] | None = None
    member: str = "self"  # a caller or bystander name, or "self": the caller
    workspace: str = "team"  # or "personal": the owner's personal workspace
    sole_owner: bool = False  # the world has no second owner
    # A token of its own that lives this long (seconds): an event stream answered
    # in-process ends only when its token expires.
    token_lifetime: float | None = None
    # A body that is not JSON: its bytes and their Content-Type.
    raw: tuple[bytes, str] | None = None


def fixed_body(value: Any) -> Callable[["World"], Any]:
    """A body that is the same in every world."""
    return lambda _world: value


def _zip_of_one_note() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Imported.md", "# Imported\n\nA note from elsewhere.\n")
    return buffer.getvalue()


# Where the world's webhooks point: loopback's discard port (the matrix's app may call
# loopback). They are made inactive, so that no delivery changes rows mid-test.
HOOK_URL = "http://127.0.0.1:9/hook"
RENAMED = {"name": "Renamed"}
MOVE = Call(body=lambda world: {"workspace_id": world.target})
CALLS: dict[str, Call] = {
    "read_workspace": Call(),
    "update_workspace": Call(body=fixed_body(RENAMED)),
    "delete_workspace": Call(),
    "list_members": Call(),
    # An admin's business: an editor becoming a viewer.
    "update_member": Call(body=fixed_body({"role": "viewer"}), member="subject"),
    # Anyone's: leaving.
    "remove_member": Call(),
    "create_invitation": Call(body=fixed_body({"role": "editor"})),
    "list_invitations": Call(),
    "revoke_invitation": Call(),
    "list_notes": Call(),
    "read_note": Call(),
    "render_note": Call(),
    "create_note": Call(body=fixed_body({"title": "New", "content": "text"})),
    "replace_note": Call(body=fixed_body({"title": "Replaced", "content": "new"})),
    "update_note": Call(body=fixed_body({"title": "Changed"})),
    "delete_note": Call(),
    "move_note": MOVE,
    "list_links": Call(),
    "create_link": Call(body=fixed_body({})),
    "revoke_link": Call(),
    "list_tasks": Call(),
    "read_task": Call(),
    "create_task": Call(body=fixed_body({"title": "New"})),
    "replace_task": Call(body=fixed_body({"title": "Replaced"})),
    "update_task": Call(body=fixed_body({"title": "Changed"})),
    "complete_task": Call(),
    "delete_task": Call(),
    "move_task": MOVE,
    "list_trash": Call(),
    "restore_item": Call(),
    "purge_item": Call(),
    "empty_trash": Call(),
    "list_revisions": Call(),
    "read_revision": Call(),
    "restore_revision": Call(),
    "list_changes": Call(),
    "stream_events": Call(token_lifetime=2),
    "export_workspace": Call(),
    "create_webhook": Call(body=fixed_body({"url": HOOK_URL, "events": ["*"]})),
    "list_webhooks": Call(),
    "read_webhook": Call(),
    "update_webhook": Call(body=fixed_body({"description": "Changed"})),
    "delete_webhook": Call(),
    "list_deliveries": Call(),
    "import_workspace": Call(raw=(_zip_of_one_note(), "application/zip")),
}
