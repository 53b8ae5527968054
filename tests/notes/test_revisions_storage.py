"""What revisions keep (API.md §9): at most TEAMNOTES_REVISIONS_KEPT per note, none once
the note is gone, and one for every note that existed before revisions did."""

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from alembic import command
from fastapi import FastAPI
from sqlalchemy import Connection, func, insert, select

from teamnotes.kit.db import utcnow
from teamnotes.migrations import alembic_config, migration_engine, upgrade_to_head
from teamnotes.notes.models import Note, NoteRevision
from teamnotes.workspaces.models import Workspace
from tests.conftest import BACKENDS, new_database
from tests.factories import User, token_user
from tests.trash.support import app_fixture, client_of, edited, make_in, team_with, versions_kept

# A deployment that keeps three revisions per note, merge window as by default.
capped = app_fixture(revisions_kept=3)


@pytest.fixture
async def client(capped: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(capped) as made:
        yield made


async def shared_note(app: FastAPI, client: httpx.AsyncClient) -> tuple[str, User, User]:
    """A note of a team whose two editors take turns, so that every edit is kept."""
    alice = await token_user(app)
    team, people = await team_with(app, client, alice, bob="editor")
    made = await make_in(client, alice, f"/workspaces/{team}/notes", title="v1")
    return f"/workspaces/{team}/notes/{made['id']}", alice, people["bob"]


class TestTheCap:
    async def test_the_oldest_go_first(self, capped: FastAPI, client: httpx.AsyncClient) -> None:
        path, alice, bob = await shared_note(capped, client)
        for version in range(2, 6):
            await edited(client, (bob, alice)[version % 2], path, title=f"v{version}")
        assert await versions_kept(client, alice, path) == [5, 4, 3]
        gone = await client.get(f"{path}/revisions/2", headers=alice.headers)
        assert gone.status_code == 404, gone.text
        assert gone.json()["detail"] == "Revision not found"

    async def test_a_merge_at_the_cap_keeps_the_older_ones(
        self, capped: FastAPI, client: httpx.AsyncClient
    ) -> None:
        path, alice, bob = await shared_note(capped, client)
        await edited(client, bob, path, title="v2")
        await edited(client, alice, path, title="v3")
        # Alice again within the window: version 4 replaces version 3's revision, and
        # versions 1 and 2 stay.
        await edited(client, alice, path, title="v4")
        assert await versions_kept(client, alice, path) == [4, 2, 1]
        await edited(client, bob, path, title="v5")
        assert await versions_kept(client, alice, path) == [5, 4, 2]


async def revision_rows(app: FastAPI, note_id: str) -> int:
    async with app.state.database.reader.connect() as connection:
        counted = select(func.count()).where(NoteRevision.note_id == uuid.UUID(note_id))
        return (await connection.execute(counted)).scalar_one()


class TestGoneWithTheNote:
    async def test_a_deleted_workspace_takes_its_notes_revisions(
        self, capped: FastAPI, client: httpx.AsyncClient
    ) -> None:
        path, alice, bob = await shared_note(capped, client)
        await edited(client, bob, path, title="v2")
        note_id = path.rsplit("/", 1)[1]
        assert await revision_rows(capped, note_id) == 2
        workspace = path.removesuffix(f"/notes/{note_id}")
        assert (await client.delete(workspace, headers=alice.headers)).status_code == 204
        assert await revision_rows(capped, note_id) == 0


def _upgrade_to(revision: str) -> Callable[[Connection], None]:
    def upgrade(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), revision)

    return upgrade


@pytest.mark.parametrize("engine", BACKENDS)
async def test_the_migration_keeps_every_notes_current_version(engine: str, tmp_path: Path) -> None:
    async with new_database(engine, tmp_path) as url:
        migrations = migration_engine(url)
        try:
            async with migrations.begin() as connection:
                await connection.run_sync(_upgrade_to("0010"))
                now = utcnow()
                workspace_id, note_id = uuid.uuid4(), uuid.uuid4()
                await connection.execute(
                    insert(Workspace).values(
                        id=workspace_id,
                        name="Old",
                        created_at=now,
                        updated_at=now,
                        version=1,
                        change_seq=7,
                    )
                )
                await connection.execute(
                    insert(Note).values(
                        id=note_id,
                        workspace_id=workspace_id,
                        title="Old note",
                        content="written before revisions",
                        created_at=now,
                        updated_at=now,
                        version=7,
                        created_by="someone",
                        updated_by="someone else",
                        change_seq=7,
                        deleted_at=now,
                        deleted_by="someone",
                    )
                )
            await upgrade_to_head(migrations)
            async with migrations.connect() as connection:
                rows = (await connection.execute(select(NoteRevision))).all()
        finally:
            await migrations.dispose()
    assert [tuple(row) for row in rows] == [
        (note_id, 7, "Old note", "written before revisions", now, "someone else")
    ]
