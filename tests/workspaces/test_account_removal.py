"""What `DELETE /auth/me` does to workspaces (API.md §7 Accounts)."""

import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.workspaces.gate import personal_workspace_id
from tests.auth.external.apps import client_of
from tests.auth.external.provider import bearer, mint
from tests.factories import User, make_note, make_task, make_user, token_user
from tests.workspaces.support import assert_error, join, make_team, rows_of


@pytest.fixture
async def user(client: httpx.AsyncClient) -> User:
    return await make_user(client)


async def delete_me(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.delete("/auth/me", headers=headers)


async def write_in(
    client: httpx.AsyncClient, user: User, workspace_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    base = f"/workspaces/{workspace_id}"
    note = await client.post(f"{base}/notes", json={"title": "Theirs"}, headers=user.headers)
    task = await client.post(f"{base}/tasks", json={"title": "Theirs"}, headers=user.headers)
    assert (note.status_code, task.status_code) == (201, 201), (note.text, task.text)
    return note.json(), task.json()


class TestDeleteAccount:
    async def test_the_personal_workspace_goes_with_everything_in_it(
        self, app: FastAPI, client: httpx.AsyncClient, user: User
    ) -> None:
        note, trashed = await make_note(client, user), await make_note(client, user)
        await make_task(client, user)
        link = await client.post(f"/notes/{note['id']}/links", headers=user.headers)
        await client.delete(f"/notes/{trashed['id']}", headers=user.headers)
        personal = str(personal_workspace_id(user.id))
        held = await rows_of(app, personal)
        assert all(
            held[table] for table in ("workspace", "membership", "note", "task", "public_link")
        )
        assert (await delete_me(client, user.headers)).status_code == 204
        assert all(not rows for rows in (await rows_of(app, personal)).values())
        assert (await client.get(link.json()["path"])).status_code == 404

    async def test_what_they_wrote_in_a_team_stays(
        self, app: FastAPI, client: httpx.AsyncClient, user: User
    ) -> None:
        owner = await token_user(app)
        team = (await make_team(client, owner))["id"]
        await join(app, team, user, "editor")
        note, task = await write_in(client, user, team)
        assert (await delete_me(client, user.headers)).status_code == 204
        base = f"/workspaces/{team}"
        for path, item in (
            (f"{base}/notes/{note['id']}", note),
            (f"{base}/tasks/{task['id']}", task),
        ):
            kept = await client.get(path, headers=owner.headers)
            assert kept.json() == item
            assert kept.json()["created_by"] == user.id
        members = await client.get(f"{base}/members", headers=owner.headers)
        assert [member["user_id"] for member in members.json()["items"]] == [owner.id]

    async def test_a_team_they_are_alone_in_goes_too(
        self, app: FastAPI, client: httpx.AsyncClient, user: User
    ) -> None:
        team = (await make_team(client, user))["id"]
        await write_in(client, user, team)
        await client.post(
            f"/workspaces/{team}/invitations", json={"role": "viewer"}, headers=user.headers
        )
        assert (await delete_me(client, user.headers)).status_code == 204
        assert all(not rows for rows in (await rows_of(app, team)).values())

    async def test_another_owner_lets_them_go(
        self, app: FastAPI, client: httpx.AsyncClient, user: User
    ) -> None:
        other = await token_user(app)
        team = (await make_team(client, user))["id"]
        await join(app, team, other, "owner")
        assert (await delete_me(client, user.headers)).status_code == 204
        read = await client.get(f"/workspaces/{team}", headers=other.headers)
        assert read.json()["role"] == "owner"


class TestTheOnlyOwner:
    async def test_of_a_team_with_others_is_409_and_nothing_changes(
        self, app: FastAPI, client: httpx.AsyncClient, user: User
    ) -> None:
        editor = await token_user(app)
        team = (await make_team(client, user))["id"]
        await join(app, team, editor, "editor")
        await write_in(client, user, team)
        await make_note(client, user)
        personal = str(personal_workspace_id(user.id))
        before = await rows_of(app, personal, team)

        refused = await delete_me(client, user.headers)
        assert_error(refused, 409, "conflict")
        assert await rows_of(app, personal, team) == before
        assert (await client.get("/auth/me", headers=user.headers)).status_code == 200

        # Ownership passed on, the account may go.
        path = f"/workspaces/{team}/members/{editor.id}"
        await client.patch(path, json={"role": "owner"}, headers=user.headers)
        assert (await delete_me(client, user.headers)).status_code == 204
        assert (await client.get(f"/workspaces/{team}/notes", headers=editor.headers)).json()[
            "total"
        ] == 1


class TestProviderUser:
    async def test_the_only_owner_is_409_and_keeps_their_account(
        self, provider: tuple[Any, FastAPI]
    ) -> None:
        key, app = provider
        token = bearer(mint(key, iat=int(time.time()) - 1))
        async with client_of(app) as client:
            team = await client.post("/workspaces", json={"name": "Theirs"}, headers=token)
            member = await token_user(app)
            await join(app, team.json()["id"], member, "viewer")
            assert_error(await delete_me(client, token), 409, "conflict")
            me = await client.get("/auth/me", headers=token)
            assert (me.status_code, me.json()["email"]) == (200, "ada@example.com")
            listed = await client.get("/workspaces", headers=token)
            assert listed.json()["total"] == 2
            team_id = team.json()["id"]
            await client.delete(f"/workspaces/{team_id}/members/{member.id}", headers=token)
            assert (await delete_me(client, token)).status_code == 204
            assert all(not rows for rows in (await rows_of(app, team_id)).values())
