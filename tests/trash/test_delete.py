"""DELETE of a note or task (API.md §9): into the trash, out of every other read."""

import httpx
import pytest
from fastapi import FastAPI

from tests.changes.test_feed import follow
from tests.factories import User, make_note, make_task, token_user
from tests.trash.support import deleted, make_in, team_with, trash_of


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


class TestDeleteNote:
    async def test_it_is_404_everywhere_but_the_trash(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Quarterly plan", content="budget")
        kept = await make_note(client, alice, title="Kept")
        await deleted(client, alice, f"/notes/{note['id']}")
        for path in (f"/notes/{note['id']}", f"/notes/{note['id']}/html"):
            gone = await client.get(path, headers=alice.headers)
            assert gone.status_code == 404, gone.text
            assert gone.json()["detail"] == "Note not found"
        for verb in ("PATCH", "PUT"):
            body = {"title": "Back?", "content": ""}
            changed = await client.request(
                verb, f"/notes/{note['id']}", json=body, headers=alice.headers
            )
            assert changed.status_code == 404, changed.text
        again = await client.delete(f"/notes/{note['id']}", headers=alice.headers)
        assert again.status_code == 404, again.text
        listed = (await client.get("/notes", headers=alice.headers)).json()
        assert [n["id"] for n in listed["items"]] == [kept["id"]]
        assert listed["total"] == 1
        found = await client.get("/notes", params={"q": "quarterly"}, headers=alice.headers)
        assert found.json()["total"] == 0
        assert [e["id"] for e in await trash_of(client, alice)] == [note["id"]]

    async def test_a_stale_if_match_is_412_and_it_stays(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        await client.patch(f"/notes/{note['id']}", json={"title": "Two"}, headers=alice.headers)
        stale = await client.delete(
            f"/notes/{note['id']}", headers={**alice.headers, "If-Match": '"1"'}
        )
        assert stale.status_code == 412, stale.text
        assert (await client.get(f"/notes/{note['id']}", headers=alice.headers)).status_code == 200
        assert await trash_of(client, alice) == []

    async def test_it_keeps_its_version_in_the_trash(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        await client.patch(f"/notes/{note['id']}", json={"title": "Two"}, headers=alice.headers)
        await deleted(client, alice, f"/notes/{note['id']}")
        restored = await client.post(f"/trash/{note['id']}/restore", headers=alice.headers)
        assert restored.json()["version"] == 3  # 2 when deleted, then the restore
        assert restored.headers["ETag"] == '"3"'

    async def test_the_feed_shows_a_delete(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice)
        _, cursor = await follow(client, alice, None)
        await deleted(client, alice, f"/notes/{note['id']}")
        seen, _ = await follow(client, alice, cursor)
        assert [(c["id"], c["action"], c["version"], c["item"]) for c in seen] == [
            (note["id"], "delete", 1, None)
        ]
        from_scratch, _ = await follow(client, alice, None)
        assert from_scratch == []


class TestDeleteTask:
    async def test_it_leaves_lists_counts_and_the_default_order(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        first = await make_task(client, alice, title="First")
        last = await make_task(client, alice, title="Last chore", completed=True)
        await deleted(client, alice, f"/tasks/{last['id']}")
        assert (await client.get(f"/tasks/{last['id']}", headers=alice.headers)).status_code == 404
        for status in ("all", "completed"):
            listed = await client.get("/tasks", params={"status": status}, headers=alice.headers)
            assert [t["id"] for t in listed.json()["items"]] == (
                [first["id"]] if status == "all" else []
            )
        found = await client.get("/tasks", params={"q": "chore"}, headers=alice.headers)
        assert found.json()["total"] == 0
        # The trashed task's order is free for the next one.
        following = await make_task(client, alice)
        assert following["order"] == last["order"] == 2

    async def test_under_a_workspace_path_too(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        team, people = await team_with(app, client, alice, viewer="viewer")
        base = f"/workspaces/{team}"
        task = await make_in(client, alice, f"{base}/tasks", title="T")
        refused = await client.delete(
            f"{base}/tasks/{task['id']}", headers=people["viewer"].headers
        )
        assert refused.status_code == 403, refused.text
        await deleted(client, alice, f"{base}/tasks/{task['id']}")
        gone = await client.get(f"{base}/tasks/{task['id']}", headers=people["viewer"].headers)
        assert gone.status_code == 404, gone.text
        assert [e["id"] for e in await trash_of(client, people["viewer"], base)] == [task["id"]]
        assert await trash_of(client, alice) == []  # not the personal trash
