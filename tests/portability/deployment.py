"""A deployment filled through the API with a row of (nearly) every kind, and what its
clients see of it, to compare a database before and after it is copied or backed up."""

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from teamnotes.app import housekeeping_jobs
from teamnotes.auth.external import ExternalIdentity
from teamnotes.auth.principal import Principal
from teamnotes.changes.streams import StreamSlots
from teamnotes.housekeeping import run_due
from teamnotes.kit.db import utcnow
from teamnotes.migrations import migration_engine
from teamnotes.models import Base
from teamnotes.workspaces.gate import personal_workspace_id
from tests.factories import PASSWORD, User, make_user
from tests.portability.support import add_member, listed, make_workspace

IDEMPOTENT = {"title": "Made once", "content": "retry me"}


@dataclass(frozen=True)
class Deployment:
    alice: User
    bob: User
    team: str
    refresh_token: str
    link_token: str
    first_note: str

    @property
    def alice_workspace(self) -> str:
        return str(personal_workspace_id(self.alice.id))


async def fill(client: httpx.AsyncClient, app: FastAPI) -> Deployment:
    """Accounts with passwords and logins, a team with members and a pending
    invitation, notes and tasks in both workspaces, trash, a moved and a purged item
    (tombstones), a public link, an idempotency key, a failed login, housekeeping
    runs, a provider's user and a live stream's lease: a row in every table."""
    alice, bob, carol = [await make_user(client) for _ in range(3)]
    login = await client.post("/auth/token", data={"username": alice.email, "password": PASSWORD})
    assert login.status_code == 200
    team = await make_workspace(client, alice, "Team")
    await add_member(client, team, alice, bob, "editor")
    invited = await client.post(
        f"/workspaces/{team}/invitations",
        json={"email": carol.email, "role": "viewer"},
        headers=alice.headers,
    )
    assert invited.status_code == 201
    notes = []
    for number, (user, where) in enumerate([(alice, "/"), (bob, f"/workspaces/{team}/")] * 3):
        made = await client.post(
            f"{where}notes",
            json={"title": f"Note {number} café", "content": f"Body {number}"},
            headers=user.headers,
        )
        assert made.status_code == 201
        notes.append(made.json())
        task = {"title": f"Task {number}", "completed": number % 2 == 0, "due_at": None}
        made = await client.post(f"{where}tasks", json=task, headers=user.headers)
        assert made.status_code == 201
    retried = await client.post(
        "/notes", json=IDEMPOTENT, headers={**alice.headers, "Idempotency-Key": "copy-me"}
    )
    assert retried.status_code == 201
    # To the trash: one note to stay there, one to purge (a tombstone); one moved (another).
    for note in notes[:2]:
        where = "" if note["workspace_id"] != team else f"/workspaces/{team}"
        user = bob if note["workspace_id"] == team else alice
        trashed = await client.delete(f"{where}/notes/{note['id']}", headers=user.headers)
        assert trashed.status_code == 204
    purged = await client.delete(
        f"/workspaces/{team}/trash/{notes[1]['id']}", headers=alice.headers
    )
    assert purged.status_code == 204
    moved = await client.post(
        f"/notes/{notes[2]['id']}/move", json={"workspace_id": team}, headers=alice.headers
    )
    assert moved.status_code == 200
    link = await client.post(
        f"/workspaces/{team}/notes/{notes[3]['id']}/links", json={}, headers=bob.headers
    )
    assert link.status_code == 201
    wrong = await client.post("/auth/token", data={"username": bob.email, "password": "wrong!"})
    assert wrong.status_code == 401
    database, interval = app.state.database, timedelta(minutes=5)
    await run_due(database, housekeeping_jobs(app.state.settings), utcnow(), interval)
    # What only a provider's token or a live stream makes, made the way they make it.
    provider_user = ExternalIdentity("provider|1", "dana@example.com", "Dana", time.time() + 60)
    await app.state.external_accounts.admit(Principal("provider|1", external=provider_user))
    await StreamSlots(database, per_user=1, lease=interval).take(bob.id)
    return Deployment(
        alice,
        bob,
        team,
        login.json()["refresh_token"],
        link.json()["token"],
        notes[3]["id"],
    )


async def seen(client: httpx.AsyncClient, deployment: Deployment) -> dict[str, Any]:
    """Everything the deployment's users see, through the API."""
    alice, bob, team = deployment.alice, deployment.bob, deployment.team
    views: dict[str, Any] = {}
    for name, user, path in [
        ("alice", alice, "/auth/me"),
        ("bob", bob, "/auth/me"),
        ("alice's workspaces", alice, "/workspaces"),
        ("bob's workspaces", bob, "/workspaces"),
        ("members", alice, f"/workspaces/{team}/members"),
        ("invitations", alice, f"/workspaces/{team}/invitations"),
        ("personal trash", alice, "/trash"),
        ("team trash", bob, f"/workspaces/{team}/trash"),
        ("links", bob, f"/workspaces/{team}/notes/{deployment.first_note}/links"),
        ("search", alice, f"/workspaces/{team}/notes?q=cafe&limit=100"),
        ("changes", bob, f"/workspaces/{team}/changes?limit=100"),
    ]:
        response = await client.get(path, headers=user.headers)
        assert response.status_code == 200, (name, response.text)
        views[name] = response.json()
    for user, workspace in [(alice, deployment.alice_workspace), (bob, team)]:
        for kind in ("notes", "tasks"):
            views[f"{workspace} {kind}"] = await listed(client, user, workspace, kind)
    public = await client.get(f"/p/{deployment.link_token}", headers={"Accept": "application/json"})
    assert public.status_code == 200
    views["public link"] = public.json()
    return views


async def row_counts(url: str) -> dict[str, int]:
    """The rows of every table of the schema."""
    engine = migration_engine(url)
    try:
        async with engine.connect() as connection:
            return {
                table.name: (
                    await connection.execute(select(func.count()).select_from(table))
                ).scalar_one()
                for table in Base.metadata.sorted_tables
            }
    finally:
        await engine.dispose()
