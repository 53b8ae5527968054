"""The trash (API.md §9) as the feed sees it, and its routes' basic behaviour."""

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.app import housekeeping_jobs
from teamnotes.config import Settings
from teamnotes.housekeeping import run_once
from teamnotes.kit.db import utcnow
from tests.changes.test_feed import follow
from tests.factories import User, make_note, make_task, token_user


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


class TestTrash:
    async def test_delete_restore_purge(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice, title="Draft")
        task = await make_task(client, alice, title="Chore")
        for path in (f"/notes/{note['id']}", f"/tasks/{task['id']}"):
            assert (await client.delete(path, headers=alice.headers)).status_code == 204
        listed = (await client.get("/trash", headers=alice.headers)).json()
        assert [(e["kind"], e["id"], e["title"]) for e in listed["items"]] == [
            ("task", task["id"], "Chore"),
            ("note", note["id"], "Draft"),
        ]
        assert listed["total"] == 2
        restored = await client.post(f"/trash/{note['id']}/restore", headers=alice.headers)
        assert restored.status_code == 200, restored.text
        assert restored.json()["version"] == note["version"] + 1
        assert (await client.get(f"/notes/{note['id']}", headers=alice.headers)).status_code == 200
        assert (
            await client.delete(f"/trash/{task['id']}", headers=alice.headers)
        ).status_code == 204
        assert (await client.get("/trash", headers=alice.headers)).json()["total"] == 0
        again = await client.post(f"/trash/{task['id']}/restore", headers=alice.headers)
        assert again.status_code == 404, again.text

    async def test_a_purge_is_a_delete_in_the_feed(
        self, client: httpx.AsyncClient, alice: User, app: FastAPI
    ) -> None:
        _, start = await follow(client, alice, None)
        note = await make_note(client, alice)
        await client.delete(f"/notes/{note['id']}", headers=alice.headers)
        jobs = housekeeping_jobs(Settings(trash_retention_days=1e-9))
        await run_once(app.state.database, jobs, utcnow() + timedelta(seconds=1))
        assert (await client.get("/trash", headers=alice.headers)).json()["total"] == 0
        seen, _ = await follow(client, alice, start)
        assert [(c["id"], c["action"]) for c in seen] == [(note["id"], "delete")]
