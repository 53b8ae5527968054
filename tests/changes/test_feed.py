"""GET /changes and /workspaces/{id}/changes (API.md §8): the feed a copy follows."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.app import housekeeping_jobs
from teamnotes.config import Settings
from teamnotes.housekeeping import run_once
from teamnotes.kit.db import utcnow
from tests.factories import User, make_note, make_task, token_user


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


async def changes(
    client: httpx.AsyncClient, user: User, cursor: str | None = None, **params: Any
) -> dict[str, Any]:
    query = {**params, **({"cursor": cursor} if cursor else {})}
    response = await client.get("/changes", params=query, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def follow(
    client: httpx.AsyncClient, user: User, cursor: str | None
) -> tuple[list[Any], str]:
    """Every change after `cursor`, following cursors until has_more is false."""
    seen: list[Any] = []
    while True:
        page = await changes(client, user, cursor, limit=2)
        seen += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return seen, cursor


class TestFromScratch:
    async def test_every_live_item_as_an_upsert(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        task = await make_task(client, alice)
        gone = await make_note(client, alice, title="Gone")
        await client.delete(f"/notes/{gone['id']}", headers=alice.headers)
        seen, _ = await follow(client, alice, None)
        assert [(c["kind"], c["id"], c["action"]) for c in seen] == [
            ("note", note["id"], "upsert"),
            ("task", task["id"], "upsert"),
        ]
        assert seen[0]["item"] == note
        assert seen[1]["item"] == task
        assert [c["seq"] for c in seen] == sorted(c["seq"] for c in seen)

    async def test_an_empty_workspace(self, client: httpx.AsyncClient, alice: User) -> None:
        page = await changes(client, alice)
        assert page["changes"] == []
        assert page["has_more"] is False
        assert isinstance(page["cursor"], str)


class TestFollowing:
    async def test_changes_after_a_cursor_compacted_per_item(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        kept = await make_note(client, alice, title="Kept")
        _, cursor = await follow(client, alice, None)
        await client.patch(f"/notes/{kept['id']}", json={"title": "One"}, headers=alice.headers)
        await client.patch(f"/notes/{kept['id']}", json={"title": "Two"}, headers=alice.headers)
        task = await make_task(client, alice)
        await client.delete(f"/tasks/{task['id']}", headers=alice.headers)
        seen, _ = await follow(client, alice, cursor)
        assert [(c["id"], c["action"], c["version"]) for c in seen] == [
            (kept["id"], "upsert", 3),
            (task["id"], "delete", 1),
        ]
        assert seen[0]["item"]["title"] == "Two"
        assert seen[1]["item"] is None

    async def test_a_move_is_a_delete_here_and_an_upsert_there(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        team = (await client.post("/workspaces", json={"name": "T"}, headers=alice.headers)).json()
        note = await make_note(client, alice)
        _, cursor = await follow(client, alice, None)
        moved = await client.post(
            f"/notes/{note['id']}/move", json={"workspace_id": team["id"]}, headers=alice.headers
        )
        assert moved.status_code == 200, moved.text
        seen, _ = await follow(client, alice, cursor)
        assert [(c["id"], c["action"]) for c in seen] == [(note["id"], "delete")]
        there = await client.get(f"/workspaces/{team['id']}/changes", headers=alice.headers)
        assert [(c["id"], c["action"]) for c in there.json()["changes"]] == [(note["id"], "upsert")]

    async def test_nothing_new_keeps_the_cursor_usable(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        await make_note(client, alice)
        _, cursor = await follow(client, alice, None)
        page = await changes(client, alice, cursor)
        assert (page["changes"], page["has_more"]) == ([], False)


class TestCursors:
    @pytest.mark.parametrize("cursor", ["nonsense", "AAAA", "x" * 100])
    async def test_a_malformed_cursor_is_422(
        self, client: httpx.AsyncClient, alice: User, cursor: str
    ) -> None:
        response = await client.get("/changes", params={"cursor": cursor}, headers=alice.headers)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "query.cursor"

    async def test_another_workspaces_cursor_is_422(
        self, client: httpx.AsyncClient, alice: User, app: FastAPI
    ) -> None:
        bob = await token_user(app)
        theirs = (await changes(client, bob))["cursor"]
        response = await client.get("/changes", params={"cursor": theirs}, headers=alice.headers)
        assert response.status_code == 422, response.text

    async def test_a_cursor_older_than_the_kept_deletes_is_410(
        self, client: httpx.AsyncClient, alice: User, app: FastAPI
    ) -> None:
        team = (await client.post("/workspaces", json={"name": "T"}, headers=alice.headers)).json()
        note = await make_note(client, alice)
        _, cursor = await follow(client, alice, None)
        await client.post(
            f"/notes/{note['id']}/move", json={"workspace_id": team["id"]}, headers=alice.headers
        )
        # The move's tombstone is older than a (tiny) retention: the purge drops it.
        jobs = housekeeping_jobs(Settings(changes_retention_days=1e-9))
        await run_once(app.state.database, jobs, utcnow() + timedelta(seconds=1))
        response = await client.get("/changes", params={"cursor": cursor}, headers=alice.headers)
        assert response.status_code == 410, response.text
        assert response.json()["error_code"] == "resync_required"
        fresh = await changes(client, alice)
        assert fresh["changes"] == []


class TestAccess:
    async def test_a_non_member_gets_404(
        self, client: httpx.AsyncClient, alice: User, app: FastAPI
    ) -> None:
        team = (await client.post("/workspaces", json={"name": "T"}, headers=alice.headers)).json()
        bob = await token_user(app)
        response = await client.get(f"/workspaces/{team['id']}/changes", headers=bob.headers)
        assert response.status_code == 404, response.text
