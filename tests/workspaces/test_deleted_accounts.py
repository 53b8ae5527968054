"""A deleted account's tokens stop working everywhere (API.md §7 Accounts, issue 10).

Access tokens are not revoked one by one: once the deletion commits, the account is
simply gone (no personal workspace, no membership), and every route finds that out
in the statement it runs anyway. These tests go through every kind of route a token
opens, reads and writes alike, and check that nothing was written for the account.
"""

import time
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, or_, select

from teamnotes.kit.ids import new_id
from teamnotes.notes.models import Note, PublicLink
from teamnotes.tasks.models import Task
from teamnotes.workspaces.models import Invitation, Membership, Workspace
from tests.auth.external.apps import client_of, relying_app
from tests.auth.external.provider import assert_invalid_token, bearer, mint
from tests.factories import User, access_token, make_note, make_task, make_user, token_user
from tests.workspaces.support import join, make_team


def requests_of(user: User, team: str, note: str, task: str, invitation: str) -> list[Any]:
    """(method, path, body) of every kind of route, for a user once a member of `team`."""
    in_team = f"/workspaces/{team}"
    return [
        ("GET", "/auth/me", None),
        ("PATCH", "/auth/me", {"display_name": "Ghost"}),
        ("DELETE", "/auth/me", None),
        ("GET", "/notes", None),
        ("GET", "/notes?q=anything", None),
        ("POST", "/notes", {"title": "Ghost note"}),
        ("GET", f"/notes/{note}", None),
        ("PATCH", f"/notes/{note}", {"title": "Ghost"}),
        ("POST", f"/notes/{note}/links", {}),
        ("GET", "/tasks", None),
        ("POST", "/tasks", {"title": "Ghost task"}),
        ("PATCH", f"/tasks/{task}/complete", None),
        ("GET", f"/api/{user.id}/tasks", None),
        ("POST", f"/api/{user.id}/tasks", {"title": "Ghost task"}),
        ("GET", "/workspaces", None),
        ("POST", "/workspaces", {"name": "Ghost town"}),
        ("POST", "/invitations/accept", {"token": invitation}),
        ("GET", in_team, None),
        ("PATCH", in_team, {"name": "Haunted"}),
        ("GET", f"{in_team}/members", None),
        ("DELETE", f"{in_team}/members/{user.id}", None),
        ("POST", f"{in_team}/invitations", {"role": "viewer"}),
        ("GET", f"{in_team}/notes", None),
        ("POST", f"{in_team}/notes", {"title": "Ghost note"}),
        ("POST", f"{in_team}/tasks", {"title": "Ghost task"}),
        ("POST", f"/notes/{note}/move", {"workspace_id": team}),
        ("GET", "/trash", None),
        ("DELETE", "/trash", None),
        ("GET", "/changes", None),
        ("GET", f"{in_team}/changes", None),
        ("GET", f"{in_team}/trash", None),
    ]


async def written_for(app: FastAPI, user_id: str) -> int:
    """Rows that name the user as their author, member or owner."""
    statements = [
        select(func.count()).where(or_(Note.created_by == user_id, Note.updated_by == user_id)),
        select(func.count()).where(or_(Task.created_by == user_id, Task.updated_by == user_id)),
        select(func.count()).where(Membership.user_id == user_id),
        select(func.count()).where(Workspace.personal_owner_id == user_id),
        select(func.count()).where(PublicLink.created_by == user_id),
        select(func.count()).where(Invitation.invited_by == user_id),
    ]
    async with app.state.database.reader.connect() as connection:
        return sum([(await connection.execute(each)).scalar_one() for each in statements])


async def deleted_member(
    app: FastAPI, client: httpx.AsyncClient
) -> tuple[User, list[Any], dict[str, Any]]:
    """A local account that was an admin of a team, with items of its own, deleted."""
    user, owner = await make_user(client), await token_user(app)
    team = (await make_team(client, owner))["id"]
    await join(app, team, user, "admin")
    note, task = await make_note(client, user), await make_task(client, user)
    invitation = await client.post(
        f"/workspaces/{team}/invitations", json={"role": "editor"}, headers=owner.headers
    )
    assert (await client.delete("/auth/me", headers=user.headers)).status_code == 204
    requests = requests_of(user, team, note["id"], task["id"], invitation.json()["token"])
    return user, requests, {"team": team, "owner": owner}


class TestLocalAccount:
    async def test_every_route_answers_401_and_writes_nothing(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        user, requests, context = await deleted_member(app, client)
        assert await written_for(app, user.id) == 0
        for method, path, body in requests:
            response = await client.request(method, path, json=body, headers=user.headers)
            assert response.status_code == 401, (method, path, response.text)
            assert_invalid_token(response)
        # An event stream too (on a token of its own that would end it soon).
        short = {"Authorization": f"Bearer {access_token(app, user.id, expires_in=2)}"}
        for path in ("/events", f"/workspaces/{context['team']}/events"):
            assert_invalid_token(await client.get(path, headers=short))
        assert await written_for(app, user.id) == 0
        # The invitation it tried was not used up.
        pending = await client.get(
            f"/workspaces/{context['team']}/invitations", headers=context["owner"].headers
        )
        assert pending.json()["total"] == 1

    async def test_a_token_for_an_id_that_is_no_account_is_401(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        # Signed with the deployment's secret, for an id with no personal workspace.
        nobody = str(new_id())
        headers = {"Authorization": f"Bearer {access_token(app, nobody)}"}
        for method, path, body in [
            ("GET", "/notes", None),
            ("POST", "/notes", {"title": "Ghost"}),
            ("POST", "/tasks", {"title": "Ghost"}),
            ("GET", "/workspaces", None),
            ("POST", "/workspaces", {"name": "Ghost town"}),
        ]:
            response = await client.request(method, path, json=body, headers=headers)
            assert_invalid_token(response)
        assert await written_for(app, nobody) == 0


class TestProviderAccount:
    async def test_tokens_from_before_stay_refused_after_a_new_account_begins(
        self, provider: tuple[Any, FastAPI]
    ) -> None:
        key, app = provider
        sub = f"user_{new_id()}"
        before = mint(key, sub=sub, iat=int(time.time()) - 5)
        async with client_of(app) as client:
            made = await client.post("/notes", json={"title": "Old"}, headers=bearer(before))
            assert made.status_code == 201, made.text
            assert (await client.delete("/auth/me", headers=bearer(before))).status_code == 204
            assert_invalid_token(await client.get("/notes", headers=bearer(before)))
            assert_invalid_token(await client.delete("/auth/me", headers=bearer(before)))
            # A token issued since: a new account, with nothing of the old one.
            later = mint(key, sub=sub, iat=int(time.time()) + 2)
            fresh = await client.get("/notes", headers=bearer(later))
            assert (fresh.status_code, fresh.json()["total"]) == (200, 0)
            mine = await client.post("/notes", json={"title": "New"}, headers=bearer(later))
            assert mine.status_code == 201
            # The old token is still the old account's, which is gone.
            for method, path, body in [
                ("GET", "/notes", None),
                ("GET", f"/notes/{mine.json()['id']}", None),
                ("POST", "/notes", {"title": "Ghost"}),
                ("GET", "/auth/me", None),
                ("DELETE", "/auth/me", None),
                ("GET", "/workspaces", None),
            ]:
                response = await client.request(method, path, json=body, headers=bearer(before))
                assert_invalid_token(response)
            listed = await client.get("/notes", headers=bearer(later))
            assert [note["title"] for note in listed.json()["items"]] == ["New"]

    async def test_another_process_refuses_them_too(
        self, provider: tuple[Any, FastAPI], database_url: str, tmp_path_factory: Any
    ) -> None:
        # A process that never saw the account reads the deletion from the database,
        # after a new account has begun as well.
        key, app = provider
        sub = f"user_{new_id()}"
        before = mint(key, sub=sub, iat=int(time.time()) - 5)
        async with client_of(app) as client:
            assert (await client.delete("/auth/me", headers=bearer(before))).status_code == 204
            later = mint(key, sub=sub, iat=int(time.time()) + 2)
            assert (await client.get("/notes", headers=bearer(later))).status_code == 200
        async with (
            relying_app(database_url, tmp_path_factory, app.state.settings.jwt_jwks_url) as other,
            client_of(other) as elsewhere,
        ):
            assert_invalid_token(await elsewhere.get("/notes", headers=bearer(before)))
            assert (await elsewhere.get("/auth/me", headers=bearer(later))).status_code == 200
