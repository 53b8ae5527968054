"""The world a call goes to: its people, its workspaces and the rows the routes name."""

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from teamnotes.workspaces.gate import personal_workspace_id
from tests.factories import User
from tests.workspaces.matrix.calls import HOOK_URL, Call
from tests.workspaces.support import join, make_team

CALLERS = ("viewer", "editor", "admin", "owner", "outsider")
ROLES = CALLERS[:-1]
# Members no caller is, for role changes to act on.
BYSTANDERS = {"subject": "editor", "admin2": "admin", "owner2": "owner"}


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
    webhook = await _created(client, owner, f"{base}/webhooks", {"url": HOOK_URL, "events": ["*"]})
    stopped = await client.patch(
        f"{base}/webhooks/{webhook}", json={"active": False}, headers=owner.headers
    )
    assert stopped.status_code == 200, stopped.text
    trashed = await _created(client, owner, f"{base}/notes", {"title": "Trashed"})
    deleted = await client.delete(f"{base}/notes/{trashed}", headers=owner.headers)
    assert deleted.status_code == 204, deleted.text
    targets = {
        "note_id": note,
        "task_id": task,
        "link_id": link,
        "invitation_id": invitation,
        "webhook_id": webhook,
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
