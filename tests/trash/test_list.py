"""GET /trash and /workspaces/{id}/trash (API.md §9): what is in it, latest deletion first."""

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import running_app
from tests.factories import User, make_note, make_task, token_user
from tests.trash.support import client_of, deleted, make_in, team_with, trash_of


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class TestListTrash:
    async def test_latest_deletion_first_with_each_entrys_fields(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="A note")
        task = await make_task(client, alice, title="A task")
        other = await make_note(client, alice, title="Another")
        for path in (f"/tasks/{task['id']}", f"/notes/{other['id']}", f"/notes/{note['id']}"):
            await deleted(client, alice, path)
        entries = await trash_of(client, alice)
        assert [(e["kind"], e["id"], e["title"]) for e in entries] == [
            ("note", note["id"], "A note"),
            ("note", other["id"], "Another"),
            ("task", task["id"], "A task"),
        ]
        assert {e["deleted_by"] for e in entries} == {alice.id}
        assert all(
            set(e) == {"kind", "id", "title", "deleted_at", "deleted_by", "purge_at"}
            for e in entries
        )
        times = [moment(e["deleted_at"]) for e in entries]
        assert times == sorted(times, reverse=True)
        for entry in entries:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", entry["purge_at"])
            assert moment(entry["purge_at"]) - moment(entry["deleted_at"]) == timedelta(days=30)

    async def test_pages_in_a_total_order(self, client: httpx.AsyncClient, alice: User) -> None:
        notes = [await make_note(client, alice, title=f"N{i}") for i in range(3)]
        for note in notes:
            await deleted(client, alice, f"/notes/{note['id']}")
        pages = [
            (
                await client.get(
                    "/trash", params={"limit": 2, "offset": offset}, headers=alice.headers
                )
            ).json()
            for offset in (0, 2, 4)
        ]
        assert [[e["id"] for e in page["items"]] for page in pages] == [
            [notes[2]["id"], notes[1]["id"]],
            [notes[0]["id"]],
            [],
        ]
        assert [page["total"] for page in pages] == [3, 3, 3]
        bad = await client.get("/trash", params={"limit": 0}, headers=alice.headers)
        assert bad.status_code == 422, bad.text
        assert bad.json()["field"] == "query.limit"

    async def test_an_empty_trash(self, client: httpx.AsyncClient, alice: User) -> None:
        listed = await client.get("/trash", headers=alice.headers)
        assert listed.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}

    async def test_members_see_their_workspaces_trash_and_others_get_404(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        team, people = await team_with(app, client, alice, viewer="viewer")
        base = f"/workspaces/{team}"
        made = await make_in(client, alice, f"{base}/notes", title="Team")
        await deleted(client, alice, f"{base}/notes/{made['id']}")
        assert [e["title"] for e in await trash_of(client, people["viewer"], base)] == ["Team"]
        outsider = await token_user(app)
        refused = await client.get(f"{base}/trash", headers=outsider.headers)
        assert refused.status_code == 404, refused.text
        assert refused.json()["detail"] == "Workspace not found"
        assert await trash_of(client, outsider) == []
        anonymous = await client.get(f"{base}/trash")
        assert anonymous.status_code == 401, anonymous.text


@pytest.fixture
async def two_day_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    async with running_app(database_url, tmp_path_factory, trash_retention_days=2.5) as made:
        yield made


class TestRetentionSetting:
    async def test_purge_at_follows_it(self, two_day_app: FastAPI) -> None:
        user = await token_user(two_day_app)
        async with client_of(two_day_app) as client:
            note = await make_note(client, user)
            await deleted(client, user, f"/notes/{note['id']}")
            [entry] = await trash_of(client, user)
        assert moment(entry["purge_at"]) - moment(entry["deleted_at"]) == timedelta(days=2.5)
