"""Working with an API key (API.md §11): as its user, within its scope and workspace;
revocation and expiry at once, on every process; `last_used_at` once a minute at most."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from teamnotes.auth.api_keys import ApiKey
from tests.auth.keys import Key, make_key, make_workspace, team_with
from tests.conftest import another_process
from tests.factories import make_note, token_user


async def _stamp(app: FastAPI, key: Key) -> datetime | None:
    async with app.state.database.read_session() as session:
        statement = select(ApiKey.last_used_at).where(ApiKey.id == uuid.UUID(key.id))
        return (await session.execute(statement)).scalar_one()


async def _stamped(app: FastAPI, key: Key) -> datetime:
    """`last_used_at` once the request's background write has landed (bounded wait)."""
    for _ in range(100):
        stamp = await _stamp(app, key)
        if stamp is not None:
            return stamp
        await asyncio.sleep(0.02)
    pytest.fail("last_used_at was never written")


class TestActingAsItsUser:
    async def test_a_read_key_reads_and_may_not_write(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user = await token_user(app)
        note = await make_note(client, user)
        key = await make_key(client, user, scope="read")
        read = await client.get(f"/notes/{note['id']}", headers=key.headers)
        assert read.status_code == 200
        assert read.json() == note
        refused = await client.post("/notes", json={"title": "no"}, headers=key.headers)
        assert refused.status_code == 403
        assert refused.json()["error_code"] == "forbidden"
        assert refused.json()["detail"] == "This API key may only read"

    async def test_a_write_key_writes_as_its_user(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user = await token_user(app)
        key = await make_key(client, user, scope="write")
        created = await client.post("/notes", json={"title": "by script"}, headers=key.headers)
        assert created.status_code == 201, created.text
        assert created.json()["created_by"] == user.id
        mine = await client.get(f"/notes/{created.json()['id']}", headers=user.headers)
        assert mine.status_code == 200

    async def test_no_key_makes_or_sees_keys(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        user = await token_user(app)
        key = await make_key(client, user, scope="write")
        for method, path in (("GET", "/auth/api-keys"), ("POST", "/auth/api-keys")):
            body = {"name": "k", "scope": "write"} if method == "POST" else None
            response = await client.request(method, path, json=body, headers=key.headers)
            assert response.status_code == 403
            assert response.json()["detail"] == "API keys cannot be used here"

    async def test_an_unknown_key_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/notes", headers={"Authorization": "Bearer tn_nothing"})
        assert response.status_code == 401
        assert response.json()["error_code"] == "invalid_token"

    async def test_a_member_removed_from_a_workspace_finds_it_gone(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        owner, member, workspace = await team_with(client, app, "editor")
        key = await make_key(client, member, scope="write")
        notes = f"/workspaces/{workspace}/notes"
        assert (await client.get(notes, headers=key.headers)).status_code == 200
        removed = await client.delete(
            f"/workspaces/{workspace}/members/{member.id}", headers=owner.headers
        )
        assert removed.status_code == 204
        assert (await client.get(notes, headers=key.headers)).status_code == 404


class TestBoundToAWorkspace:
    async def test_other_workspaces_and_personal_routes_are_404(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user = await token_user(app)
        bound, other = (
            await make_workspace(client, user, "Bound"),
            await make_workspace(client, user),
        )
        key = await make_key(client, user, scope="write", workspace_id=bound)
        inside = await client.post(
            f"/workspaces/{bound}/notes", json={"title": "in"}, headers=key.headers
        )
        assert inside.status_code == 201
        for path in (f"/workspaces/{other}/notes", f"/workspaces/{other}", "/notes", "/tasks"):
            response = await client.get(path, headers=key.headers)
            assert response.status_code == 404, path
            assert response.json()["detail"] == "Workspace not found"
        # Nor may it move a note out to a workspace it does not reach.
        moved = await client.post(
            f"/workspaces/{bound}/notes/{inside.json()['id']}/move",
            json={"workspace_id": other},
            headers=key.headers,
        )
        assert moved.status_code == 404, moved.text
        listed = await client.get("/workspaces", headers=key.headers)
        assert [item["id"] for item in listed.json()["items"]] == [bound]
        assert listed.json()["total"] == 1

    async def test_bound_to_the_personal_workspace_it_works_there(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user = await token_user(app)
        personal = (await client.get("/workspaces", headers=user.headers)).json()["items"][0]
        team = await make_workspace(client, user)
        key = await make_key(client, user, workspace_id=personal["id"])
        assert (await client.get("/notes", headers=key.headers)).status_code == 200
        assert (
            await client.get(f"/workspaces/{team}/notes", headers=key.headers)
        ).status_code == 404

    async def test_its_workspace_deleted_the_key_is_gone(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user = await token_user(app)
        workspace = await make_workspace(client, user)
        key = await make_key(client, user, workspace_id=workspace)
        assert (
            await client.delete(f"/workspaces/{workspace}", headers=user.headers)
        ).status_code == 204
        response = await client.get(f"/workspaces/{workspace}/notes", headers=key.headers)
        assert response.status_code == 401


class TestRevocationEverywhere:
    async def test_a_process_that_knows_the_key_refuses_it_once_revoked_elsewhere(
        self,
        client: httpx.AsyncClient,
        app: FastAPI,
        database_url: str,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> None:
        user = await token_user(app)
        note = await make_note(client, user)
        key = await make_key(client, user, scope="write")
        async with another_process(database_url, tmp_path_factory) as there:
            paths = [f"/notes/{note['id']}", "/notes", "/workspaces", "/changes", "/trash"]
            for path in paths:  # the other process now knows the key
                assert (await there.get(path, headers=key.headers)).status_code == 200, path
            revoked = await client.delete(f"/auth/api-keys/{key.id}", headers=user.headers)
            assert revoked.status_code == 204
            for path in paths:
                refused = await there.get(path, headers=key.headers)
                assert refused.status_code == 401, (path, refused.text)
                assert refused.json()["error_code"] == "invalid_token"
            write = await there.patch(
                f"/notes/{note['id']}", json={"title": "no"}, headers=key.headers
            )
            assert write.status_code == 401


class TestExpiry:
    async def test_an_expired_key_is_401(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        user = await token_user(app)
        soon = datetime.now(UTC) + timedelta(seconds=1)
        key = await make_key(client, user, expires_at=soon.isoformat())
        assert (await client.get("/notes", headers=key.headers)).status_code == 200
        await asyncio.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.05)
        response = await client.get("/notes", headers=key.headers)
        assert response.status_code == 401
        assert response.json()["error_code"] == "invalid_token"

    async def test_a_key_first_seen_after_its_expiry_is_401(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user = await token_user(app)
        key = await make_key(
            client, user, expires_at=(datetime.now(UTC) + timedelta(days=1)).isoformat()
        )
        async with app.state.database.write_session() as session, session.begin():
            past = datetime.now(UTC) - timedelta(seconds=1)
            await session.execute(
                update(ApiKey).where(ApiKey.id == uuid.UUID(key.id)).values(expires_at=past)
            )
        assert (await client.get("/notes", headers=key.headers)).status_code == 401


class TestLastUsed:
    async def test_written_on_use_and_at_most_once_a_minute_across_processes(
        self,
        client: httpx.AsyncClient,
        app: FastAPI,
        database_url: str,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> None:
        user = await token_user(app)
        key = await make_key(client, user)
        assert (await client.get("/notes", headers=key.headers)).status_code == 200
        first = await _stamped(app, key)
        listed = (await client.get("/auth/api-keys", headers=user.headers)).json()["items"]
        assert listed[0]["last_used_at"] is not None
        # Another process has not seen the key yet: it tries, and its write is a no-op.
        async with another_process(database_url, tmp_path_factory) as there:
            assert (await there.get("/notes", headers=key.headers)).status_code == 200
        assert await _stamp(app, key) == first
        # A minute later it is written again.
        async with app.state.database.write_session() as session, session.begin():
            await session.execute(
                update(ApiKey)
                .where(ApiKey.id == uuid.UUID(key.id))
                .values(last_used_at=first - timedelta(seconds=61))
            )
        async with another_process(database_url, tmp_path_factory) as there:
            assert (await there.get("/notes", headers=key.headers)).status_code == 200
        later = await _stamp(app, key)
        assert later is not None
        assert later > first
