"""DELETE …/trash/{id} and DELETE …/trash (API.md §9): gone for good (admins; the owner
of a personal workspace)."""

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from teamnotes.notes.models import Note, NoteRevision
from teamnotes.workspaces.gate import Role
from tests.changes.test_feed import follow
from tests.factories import User, make_note, make_task, token_user
from tests.trash.support import MISSING_ID, deleted, make_in, team_with, trash_of


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


async def rows_of_note(app: FastAPI, note_id: str) -> tuple[int, int]:
    """The note's rows and its revisions' rows in the database."""
    key = uuid.UUID(note_id)
    async with app.state.database.reader.connect() as connection:
        notes = await connection.execute(select(func.count()).where(Note.id == key))
        revisions = await connection.execute(
            select(func.count()).where(NoteRevision.note_id == key)
        )
        return notes.scalar_one(), revisions.scalar_one()


class TestPurgeOne:
    async def test_it_is_gone_for_good_with_its_revisions(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        await client.patch(f"/notes/{note['id']}", json={"title": "Two"}, headers=alice.headers)
        kept = await make_note(client, alice, title="Kept")
        for each in (note, kept):
            await deleted(client, alice, f"/notes/{each['id']}")
        assert (await rows_of_note(app, note["id"]))[0] == 1
        purged = await client.delete(f"/trash/{note['id']}", headers=alice.headers)
        assert purged.status_code == 204, purged.text
        assert purged.content == b""
        assert await rows_of_note(app, note["id"]) == (0, 0)
        assert [e["id"] for e in await trash_of(client, alice)] == [kept["id"]]
        gone = await client.post(f"/trash/{note['id']}/restore", headers=alice.headers)
        assert gone.status_code == 404, gone.text
        assert (await client.get(f"/notes/{note['id']}", headers=alice.headers)).status_code == 404

    @pytest.mark.parametrize("which", ["live", "unknown", "malformed"])
    async def test_an_id_not_in_the_trash_is_404_and_nothing_goes(
        self, client: httpx.AsyncClient, alice: User, which: str
    ) -> None:
        note = await make_note(client, alice)
        item_id = {"live": note["id"], "unknown": MISSING_ID, "malformed": "nope"}[which]
        missing = await client.delete(f"/trash/{item_id}", headers=alice.headers)
        assert missing.status_code == 404, missing.text
        assert missing.json()["detail"] == "Not found in the trash"
        assert (await client.get(f"/notes/{note['id']}", headers=alice.headers)).status_code == 200

    async def test_the_feed_shows_a_delete_and_nothing_after_it(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        _, before = await follow(client, alice, None)
        await deleted(client, alice, f"/notes/{note['id']}")
        _, after_delete = await follow(client, alice, before)
        await deleted(client, alice, f"/trash/{note['id']}")
        seen, _ = await follow(client, alice, before)
        assert [(c["id"], c["action"], c["version"]) for c in seen] == [(note["id"], "delete", 1)]
        # A client that saw the trashing has nothing more to learn from the purge.
        assert (await follow(client, alice, after_delete))[0] == []


class TestEmptyTrash:
    async def test_everything_in_it_goes_and_the_rest_stays(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        task = await make_task(client, alice)
        live = await make_note(client, alice, title="Live")
        await deleted(client, alice, f"/notes/{note['id']}")
        await deleted(client, alice, f"/tasks/{task['id']}")
        _, cursor = await follow(client, alice, None)
        emptied = await client.delete("/trash", headers=alice.headers)
        assert emptied.status_code == 204, emptied.text
        assert await trash_of(client, alice) == []
        assert await rows_of_note(app, note["id"]) == (0, 0)
        assert (await client.get(f"/notes/{live['id']}", headers=alice.headers)).status_code == 200
        assert (await follow(client, alice, cursor))[0] == []
        from_scratch, _ = await follow(client, alice, None)
        assert [c["id"] for c in from_scratch] == [live["id"]]

    async def test_an_empty_trash_is_204(self, client: httpx.AsyncClient, alice: User) -> None:
        assert (await client.delete("/trash", headers=alice.headers)).status_code == 204


class TestPurgeInATeam:
    @pytest.mark.parametrize("role", ["viewer", "editor"])
    async def test_below_an_admin_is_403_and_nothing_goes(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User, role: Role
    ) -> None:
        team, people = await team_with(app, client, alice, member=role)
        base = f"/workspaces/{team}"
        note = await make_in(client, alice, f"{base}/notes", title="T")
        await deleted(client, alice, f"{base}/notes/{note['id']}")
        for path in (f"{base}/trash/{note['id']}", f"{base}/trash"):
            refused = await client.delete(path, headers=people["member"].headers)
            assert refused.status_code == 403, refused.text
            assert refused.json()["error_code"] == "forbidden"
        assert [e["id"] for e in await trash_of(client, alice, base)] == [note["id"]]

    async def test_an_admin_may(self, app: FastAPI, client: httpx.AsyncClient, alice: User) -> None:
        team, people = await team_with(app, client, alice, admin="admin")
        base = f"/workspaces/{team}"
        notes = [
            await make_in(client, alice, f"{base}/notes", title=title)
            for title in ("One", "Two", "Three")
        ]
        for note in notes:
            await deleted(client, alice, f"{base}/notes/{note['id']}")
        admin = people["admin"]
        purged = await client.delete(f"{base}/trash/{notes[0]['id']}", headers=admin.headers)
        assert purged.status_code == 204, purged.text
        assert len(await trash_of(client, admin, base)) == 2
        assert (await client.delete(f"{base}/trash", headers=admin.headers)).status_code == 204
        assert await trash_of(client, admin, base) == []

    async def test_a_non_member_gets_404(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        team, _ = await team_with(app, client, alice)
        note = await make_in(client, alice, f"/workspaces/{team}/notes", title="T")
        await deleted(client, alice, f"/workspaces/{team}/notes/{note['id']}")
        outsider = await token_user(app)
        for path in (f"/workspaces/{team}/trash/{note['id']}", f"/workspaces/{team}/trash"):
            refused = await client.delete(path, headers=outsider.headers)
            assert refused.status_code == 404, refused.text
            assert refused.json()["detail"] == "Workspace not found"
        # Nor from the outsider's own trash.
        assert (
            await client.delete(f"/trash/{note['id']}", headers=outsider.headers)
        ).status_code == 404
        assert len(await trash_of(client, alice, f"/workspaces/{team}")) == 1
