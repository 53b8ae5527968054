"""POST …/notes/{id}/revisions/{version}/restore (API.md §9): a revision's title and
content again, as a new version (editors). On the default deployment, whose merge
window (300 s) would fold one user's quick edits together."""

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.kit.db import utcnow
from teamnotes.notes import service
from tests.changes.test_feed import follow
from tests.factories import User, make_note, token_user
from tests.trash.support import deleted, edited, make_in, team_with, versions_kept


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


class TestRestoreRevision:
    async def test_the_current_text_changes_nothing(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Draft", content="first words")
        path = f"/notes/{note['id']}"
        changed = await edited(client, alice, path, title="Final")
        # The same user within the window: version 2 replaced version 1's revision.
        assert await versions_kept(client, alice, path) == [2]
        restored = await client.post(f"{path}/revisions/2/restore", headers=alice.headers)
        assert restored.status_code == 200, restored.text
        assert restored.json() == changed
        assert restored.headers["ETag"] == '"2"'
        assert await versions_kept(client, alice, path) == [2]

    async def test_a_new_version_that_adds_a_revision_even_within_the_window(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        team, people = await team_with(app, client, alice, bob="editor")
        base = f"/workspaces/{team}/notes"
        made = await make_in(client, alice, base, title="Draft", content="first words")
        path = f"{base}/{made['id']}"
        await edited(client, people["bob"], path, title="Bob's", content="second words")
        restored = await client.post(f"{path}/revisions/1/restore", headers=people["bob"].headers)
        assert restored.status_code == 200, restored.text
        note = restored.json()
        assert (note["title"], note["content"], note["version"]) == ("Draft", "first words", 3)
        assert note["updated_by"] == people["bob"].id
        assert restored.headers["ETag"] == '"3"'
        assert (await client.get(path, headers=alice.headers)).json() == note
        # Bob's own version 2 stays, though bob wrote it a moment ago.
        assert await versions_kept(client, alice, path) == [3, 2, 1]
        found = await client.get(base, params={"q": "first"}, headers=alice.headers)
        assert [n["id"] for n in found.json()["items"]] == [note["id"]]

    async def test_if_match_is_honoured(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        team, people = await team_with(app, client, alice, bob="editor")
        base = f"/workspaces/{team}/notes"
        path = f"{base}/{(await make_in(client, alice, base, title='Draft'))['id']}"
        await edited(client, people["bob"], path, title="Bob's")
        stale = await client.post(
            f"{path}/revisions/1/restore", headers={**alice.headers, "If-Match": '"1"'}
        )
        assert stale.status_code == 412, stale.text
        assert stale.json()["error_code"] == "precondition_failed"
        current = (await client.get(path, headers=alice.headers)).json()
        assert (current["title"], current["version"]) == ("Bob's", 2)
        assert await versions_kept(client, alice, path) == [2, 1]
        fresh = await client.post(
            f"{path}/revisions/1/restore", headers={**alice.headers, "If-Match": '"2"'}
        )
        assert fresh.status_code == 200, fresh.text
        assert fresh.json()["version"] == 3

    async def test_the_feed_shows_an_upsert(
        self, client: httpx.AsyncClient, alice: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        note = await make_note(client, alice, title="One")
        path = f"/notes/{note['id']}"
        # An hour later: past the window, the edit adds a revision.
        later = utcnow() + timedelta(hours=1)
        monkeypatch.setattr(service, "utcnow", lambda: later)
        await edited(client, alice, path, title="Two")
        _, cursor = await follow(client, alice, None)
        restored = await client.post(f"{path}/revisions/1/restore", headers=alice.headers)
        assert restored.json()["title"] == "One"
        seen, _ = await follow(client, alice, cursor)
        assert [(c["action"], c["version"], c["item"]) for c in seen] == [
            ("upsert", 3, restored.json())
        ]

    @pytest.mark.parametrize("version", ["5", "0", "x"])
    async def test_a_version_not_kept_is_404_and_nothing_changes(
        self, client: httpx.AsyncClient, alice: User, version: str
    ) -> None:
        note = await make_note(client, alice)
        missing = await client.post(
            f"/notes/{note['id']}/revisions/{version}/restore", headers=alice.headers
        )
        assert missing.status_code == 404, missing.text
        assert missing.json()["detail"] == "Revision not found"
        assert (await client.get(f"/notes/{note['id']}", headers=alice.headers)).json() == note

    async def test_a_note_in_the_trash_or_someone_elses_is_404(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        bob = await token_user(app)
        theirs = await client.post(f"/notes/{note['id']}/revisions/1/restore", headers=bob.headers)
        assert theirs.status_code == 404, theirs.text
        assert theirs.json()["detail"] == "Note not found"
        await deleted(client, alice, f"/notes/{note['id']}")
        trashed = await client.post(
            f"/notes/{note['id']}/revisions/1/restore", headers=alice.headers
        )
        assert trashed.status_code == 404, trashed.text
        assert trashed.json()["detail"] == "Note not found"


class TestRoles:
    async def test_a_viewer_gets_403_and_nothing_changes(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        team, people = await team_with(app, client, alice, viewer="viewer", editor="editor")
        base = f"/workspaces/{team}/notes"
        path = f"{base}/{(await make_in(client, alice, base, title='Draft'))['id']}"
        await edited(client, people["editor"], path, title="Edited")
        for version in ("1", "7"):
            refused = await client.post(
                f"{path}/revisions/{version}/restore", headers=people["viewer"].headers
            )
            assert refused.status_code == 403, refused.text
            assert refused.json()["error_code"] == "forbidden"
        current = (await client.get(path, headers=alice.headers)).json()
        assert (current["title"], current["version"]) == ("Edited", 2)
        outsider = await token_user(app)
        hidden = await client.post(f"{path}/revisions/1/restore", headers=outsider.headers)
        assert hidden.status_code == 404, hidden.text
        assert hidden.json()["detail"] == "Workspace not found"
