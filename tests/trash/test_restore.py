"""POST …/trash/{id}/restore (API.md §9): back where it was, as a new version (editors)."""

import httpx
import pytest
from fastapi import FastAPI

from tests.changes.test_feed import follow
from tests.factories import User, make_note, make_task, token_user
from tests.trash.support import MISSING_ID, deleted, make_in, team_with, trash_of


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


class TestRestore:
    async def test_a_note_comes_back_as_a_new_version(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Quarterly", content="plan")
        await deleted(client, alice, f"/notes/{note['id']}")
        restored = await client.post(f"/trash/{note['id']}/restore", headers=alice.headers)
        assert restored.status_code == 200, restored.text
        body = restored.json()
        assert body["version"] == 2
        assert restored.headers["ETag"] == '"2"'
        unchanged = ("id", "workspace_id", "title", "content", "created_at", "created_by")
        assert {key: body[key] for key in unchanged} == {key: note[key] for key in unchanged}
        assert body["updated_at"] > note["updated_at"]
        assert (await client.get(f"/notes/{note['id']}", headers=alice.headers)).json() == body
        found = await client.get("/notes", params={"q": "quarterly"}, headers=alice.headers)
        assert [n["id"] for n in found.json()["items"]] == [note["id"]]
        assert await trash_of(client, alice) == []

    async def test_a_task_keeps_its_order(self, client: httpx.AsyncClient, alice: User) -> None:
        first = await make_task(client, alice)
        second = await make_task(client, alice, completed=True)
        await deleted(client, alice, f"/tasks/{first['id']}")
        restored = await client.post(f"/trash/{first['id']}/restore", headers=alice.headers)
        assert restored.status_code == 200, restored.text
        task = restored.json()
        assert (task["order"], task["completed"], task["version"]) == (1, False, 2)
        listed = (await client.get("/tasks", headers=alice.headers)).json()["items"]
        assert [t["id"] for t in listed] == [first["id"], second["id"]]

    async def test_the_feed_shows_an_upsert(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice)
        await deleted(client, alice, f"/notes/{note['id']}")
        _, cursor = await follow(client, alice, None)
        restored = (await client.post(f"/trash/{note['id']}/restore", headers=alice.headers)).json()
        seen, _ = await follow(client, alice, cursor)
        assert [(c["id"], c["action"], c["version"], c["item"]) for c in seen] == [
            (note["id"], "upsert", 2, restored)
        ]

    @pytest.mark.parametrize("which", ["live", "unknown", "malformed", "restored"])
    async def test_an_id_not_in_the_trash_is_404(
        self, client: httpx.AsyncClient, alice: User, which: str
    ) -> None:
        note = await make_note(client, alice)
        item_id = {"live": note["id"], "unknown": MISSING_ID, "malformed": "nope"}.get(which)
        if which == "restored":
            await deleted(client, alice, f"/notes/{note['id']}")
            await client.post(f"/trash/{note['id']}/restore", headers=alice.headers)
            item_id = note["id"]
        missing = await client.post(f"/trash/{item_id}/restore", headers=alice.headers)
        assert missing.status_code == 404, missing.text
        assert missing.json()["detail"] == "Not found in the trash"
        current = (await client.get(f"/notes/{note['id']}", headers=alice.headers)).json()
        assert current["version"] == (2 if which == "restored" else 1)

    async def test_another_users_trash_is_out_of_reach(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        await deleted(client, alice, f"/notes/{note['id']}")
        bob = await token_user(app)
        missing = await client.post(f"/trash/{note['id']}/restore", headers=bob.headers)
        assert missing.status_code == 404, missing.text
        assert [e["id"] for e in await trash_of(client, alice)] == [note["id"]]


class TestRestoreInATeam:
    async def test_an_editor_may_and_a_viewer_gets_403(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        team, people = await team_with(app, client, alice, editor="editor", viewer="viewer")
        base = f"/workspaces/{team}"
        note = await make_in(client, alice, f"{base}/notes", title="T")
        await deleted(client, alice, f"{base}/notes/{note['id']}")
        path = f"{base}/trash/{note['id']}/restore"
        refused = await client.post(path, headers=people["viewer"].headers)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error_code"] == "forbidden"
        assert [e["id"] for e in await trash_of(client, alice, base)] == [note["id"]]
        restored = await client.post(path, headers=people["editor"].headers)
        assert restored.status_code == 200, restored.text
        assert restored.json()["updated_by"] == people["editor"].id
        assert restored.json()["workspace_id"] == team

    async def test_not_through_another_workspace(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        team, _ = await team_with(app, client, alice)
        note = await make_note(client, alice)
        await deleted(client, alice, f"/notes/{note['id']}")
        missing = await client.post(
            f"/workspaces/{team}/trash/{note['id']}/restore", headers=alice.headers
        )
        assert missing.status_code == 404, missing.text
        assert [e["id"] for e in await trash_of(client, alice)] == [note["id"]]
