"""The authorization matrix as data: how to call each route under a workspace, and
what each caller should get where the rule is finer than `REQUIRED_ROLE`.

A world is a team workspace with a member of every role (and the extra members that
role changes act on), a note with a public link, a task, a pending invitation, and a
second workspace where every caller is an editor, for moves to go to.
"""

import io
import re
import secrets
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute

from teamnotes.app import create_app
from teamnotes.config import Settings
from teamnotes.workspaces.gate import RANK, personal_workspace_id
from tests.factories import User
from tests.workspaces.support import join, make_team

PREFIX = "/workspaces/{workspace_id}"
CALLERS = ("viewer", "editor", "admin", "owner", "outsider")
ROLES = CALLERS[:-1]
# Members no caller is, for role changes to act on.
BYSTANDERS = {"subject": "editor", "admin2": "admin", "owner2": "owner"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    endpoint: str  # the handler's name: REQUIRED_ROLE's key
    success: int

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def workspace_routes(routes: Sequence[BaseRoute]) -> list[Route]:
    """Every operation of the route table under `/workspaces/{workspace_id}`."""
    found = []
    for route in iter_route_contexts(routes):
        path = route.path or ""
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            continue
        assert route.endpoint is not None
        for method in sorted(route.methods or ()):
            success = getattr(route, "status_code", None) or 200
            found.append(Route(method, path, route.endpoint.__name__, success))
    return found


def collected_routes() -> list[Route]:
    """The route table of an app made only to be read, at collection time."""
    settings = Settings.model_validate(
        {
            "database_url": "sqlite:///:memory:",
            "jwt_secret": secrets.token_urlsafe(48),
            "data_dir": tempfile.gettempdir(),
            "housekeeping_interval": 0,
        }
    )
    return workspace_routes(create_app(settings).routes)


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


def _body(value: Any) -> Callable[["World"], Any]:
    return lambda _world: value


def _zip_of_one_note() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Imported.md", "# Imported\n\nA note from elsewhere.\n")
    return buffer.getvalue()


RENAMED = {"name": "Renamed"}
MOVE = Call(body=lambda world: {"workspace_id": world.target})
CALLS: dict[str, Call] = {
    "read_workspace": Call(),
    "update_workspace": Call(body=_body(RENAMED)),
    "delete_workspace": Call(),
    "list_members": Call(),
    # An admin's business: an editor becoming a viewer.
    "update_member": Call(body=_body({"role": "viewer"}), member="subject"),
    # Anyone's: leaving.
    "remove_member": Call(),
    "create_invitation": Call(body=_body({"role": "editor"})),
    "list_invitations": Call(),
    "revoke_invitation": Call(),
    "list_notes": Call(),
    "read_note": Call(),
    "render_note": Call(),
    "create_note": Call(body=_body({"title": "New", "content": "text"})),
    "replace_note": Call(body=_body({"title": "Replaced", "content": "new"})),
    "update_note": Call(body=_body({"title": "Changed"})),
    "delete_note": Call(),
    "move_note": MOVE,
    "list_links": Call(),
    "create_link": Call(body=_body({})),
    "revoke_link": Call(),
    "list_tasks": Call(),
    "read_task": Call(),
    "create_task": Call(body=_body({"title": "New"})),
    "replace_task": Call(body=_body({"title": "Replaced"})),
    "update_task": Call(body=_body({"title": "Changed"})),
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
    "import_workspace": Call(raw=(_zip_of_one_note(), "application/zip")),
}


def by_rank(required: str, success: int) -> dict[str, int]:
    """The general rule: the route's success from `required` up, 403 below, 404 outside."""
    expected = {role: success if RANK[role] >= RANK[required] else 403 for role in ROLES}
    return expected | {"outsider": 404}


def only(allowed: dict[str, int], refused: int = 403) -> dict[str, int]:
    """`allowed` callers get their status, other members `refused`, outsiders 404."""
    return {role: allowed.get(role, refused) for role in ROLES} | {"outsider": 404}


def personal(owner: int) -> dict[str, int]:
    """In the owner's personal workspace, where everyone else is an outsider."""
    return dict.fromkeys(CALLERS, 404) | {"owner": owner}


@dataclass(frozen=True)
class Finer:
    """A rule finer than the route's least role, with what each caller gets."""

    endpoint: str
    scenario: str
    call: Call
    expected: dict[str, int] = field(hash=False)


OWNER_ONLY = {"owner": 200}
FINER = [
    Finer(
        "update_member",
        "an editor made an admin",
        Call(_body({"role": "admin"}), "subject"),
        only(OWNER_ONLY),
    ),
    Finer(
        "update_member",
        "an admin made an editor",
        Call(_body({"role": "editor"}), "admin2"),
        only(OWNER_ONLY),
    ),
    Finer(
        "update_member",
        "an owner made an admin",
        Call(_body({"role": "admin"}), "owner2"),
        only(OWNER_ONLY),
    ),
    Finer(
        "update_member",
        "a viewer made an owner",
        Call(_body({"role": "owner"}), "viewer"),
        only(OWNER_ONLY),
    ),
    Finer(
        "update_member",
        "the last owner steps down",
        Call(_body({"role": "admin"}), "owner", sole_owner=True),
        only({"owner": 409}),
    ),
    Finer(
        "remove_member",
        "an editor removed",
        Call(member="subject"),
        only({"admin": 204, "owner": 204}),
    ),
    Finer("remove_member", "an admin removed", Call(member="admin2"), only({"owner": 204})),
    Finer("remove_member", "an owner removed", Call(member="owner2"), only({"owner": 204})),
    Finer(
        "remove_member",
        "the last owner removed or leaving",
        Call(member="owner", sole_owner=True),
        only({"owner": 409}),
    ),
    Finer("create_invitation", "of an admin", Call(_body({"role": "admin"})), only({"owner": 201})),
    Finer("create_invitation", "of an owner", Call(_body({"role": "owner"})), only({"owner": 201})),
    Finer(
        "create_invitation",
        "into the personal workspace",
        Call(_body({"role": "editor"}), workspace="personal"),
        personal(403),
    ),
    Finer("delete_workspace", "the personal workspace", Call(workspace="personal"), personal(403)),
    Finer(
        "update_workspace",
        "the personal workspace",
        Call(_body(RENAMED), workspace="personal"),
        personal(200),
    ),
    Finer("list_members", "of the personal workspace", Call(workspace="personal"), personal(200)),
]


@dataclass
class World:
    workspace: str
    target: str
    people: dict[str, User]
    targets: dict[str, str]  # path parameter → value
    call: Call

    @property
    def personal(self) -> str:
        return str(personal_workspace_id(self.people["owner"].id))

    def workspace_of(self, call: Call) -> str:
        return self.personal if call.workspace == "personal" else self.workspace

    def path(self, template: str, caller: str, workspace_id: str | None = None) -> str:
        """The route's path for `caller`, in the call's workspace or `workspace_id`."""
        values = dict(self.targets)
        values["workspace_id"] = workspace_id or self.workspace_of(self.call)
        member = caller if self.call.member == "self" else self.call.member
        values["user_id"] = self.people[member].id
        return re.sub(r"\{(\w+)\}", lambda match: values[match[1]], template)


async def make_world(
    app: FastAPI, client: httpx.AsyncClient, people: dict[str, User], call: Call
) -> World:
    owner = people["owner"]
    workspace = (await make_team(client, owner))["id"]
    target = (await make_team(client, owner, "Target"))["id"]
    members = {name: name for name in ROLES if name != "owner"} | BYSTANDERS
    if call.sole_owner:
        del members["owner2"]
    for name, role in members.items():
        await join(app, workspace, people[name], role)  # type: ignore[arg-type]
    for name in CALLERS:
        if name != "owner":
            await join(app, target, people[name], "editor")
    base = f"/workspaces/{workspace}"
    note = await _created(client, owner, f"{base}/notes", {"title": "Note", "content": "Body"})
    task = await _created(client, owner, f"{base}/tasks", {"title": "Task"})
    link = await _created(client, owner, f"{base}/notes/{note}/links", {})
    invitation = await _created(client, owner, f"{base}/invitations", {"role": "viewer"})
    trashed = await _created(client, owner, f"{base}/notes", {"title": "Trashed"})
    deleted = await client.delete(f"{base}/notes/{trashed}", headers=owner.headers)
    assert deleted.status_code == 204, deleted.text
    targets = {
        "note_id": note,
        "task_id": task,
        "link_id": link,
        "invitation_id": invitation,
        "item_id": trashed,
        # A new note's first revision: restoring it changes nothing, and answers 200.
        "version": "1",
    }
    return World(workspace, target, people, targets, call)


async def _created(client: httpx.AsyncClient, user: User, path: str, body: Any) -> str:
    response = await client.post(path, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def unknown_workspace() -> str:
    return str(uuid.uuid4())


def declared_statuses(document: dict[str, Any], route: Route) -> set[int]:
    operation = document["paths"][route.path][route.method.lower()]
    return {int(status) for status in operation["responses"]}


def missing_roles(routes: Iterable[Route], required: dict[str, Any]) -> list[str]:
    return [f"{route} ({route.endpoint})" for route in routes if route.endpoint not in required]
