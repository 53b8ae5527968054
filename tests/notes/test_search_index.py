"""The search index stays exact when the database reorganises its rows.

SQLite gives every row of a table without an INTEGER PRIMARY KEY a hidden rowid,
which a table rebuild (a batch migration copies the rows into a new table) hands
out afresh, and which `VACUUM` may renumber. An index that followed it would then
find other rows than those that match, and miss the matching ones. (SQLite 3.40's
`VACUUM` happens to keep the rowids of a table that has an index, as note and task
do: the VACUUM test holds the README's promise, the rebuild test shows the failure.)
"""

import secrets
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.operations import Operations
from fastapi import FastAPI
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from teamnotes.app import create_app
from teamnotes.kit.urls import async_url
from teamnotes.migrations import alembic_config, migration_engine
from tests.conftest import make_settings, migrate
from tests.factories import User, make_note, make_task, token_user

NOTES = 12


async def found(client: httpx.AsyncClient, user: User, path: str, q: str) -> set[str]:
    response = await client.get(path, params={"q": q, "limit": 100}, headers=user.headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


class Scattered:
    """Notes and tasks, each with a word of its own and one they share, with every
    third one deleted for good (trashed, then purged), so that the survivors' rowids
    have gaps that a copy closes."""

    def __init__(self, user: User, app: FastAPI) -> None:
        self.user = user
        self.app = app
        self.shared = f"shared{secrets.token_hex(4)}"
        self.notes: dict[str, str] = {}  # own word → id
        self.tasks: dict[str, str] = {}

    async def make(self, client: httpx.AsyncClient) -> None:
        made = []
        for number in range(NOTES):
            word = f"own{number}x{secrets.token_hex(3)}"
            note = await make_note(client, self.user, title=word, content=self.shared)
            task = await make_task(client, self.user, title=self.shared, description=word)
            made.append((word, note["id"], task["id"]))
        # Deleted once all are made: the last row's rowid would be handed out again.
        for number, (word, note_id, task_id) in enumerate(made):
            if number % 3 == 1:
                for path, item_id in (("/notes", note_id), ("/tasks", task_id)):
                    deleted = await client.delete(f"{path}/{item_id}", headers=self.user.headers)
                    assert deleted.status_code == 204, deleted.text
                    await self.purge(path.strip("/").rstrip("s"), item_id)
            else:
                self.notes[word] = note_id
                self.tasks[word] = task_id

    async def purge(self, table: str, item_id: str) -> None:
        """What the trash's purge does to a row, as the rowids see it: it is gone."""
        async with self.app.state.database.writer.begin() as connection:
            await connection.execute(
                text(f"DELETE FROM {table} WHERE id = :id"),  # noqa: S608 (a fixed name)
                {"id": uuid.UUID(item_id).hex if self.sqlite else uuid.UUID(item_id)},
            )

    @property
    def sqlite(self) -> bool:
        return bool(self.app.state.database.dialect == "sqlite")

    async def assert_exact(self, client: httpx.AsyncClient) -> None:
        for path, kept in (("/notes", self.notes), ("/tasks", self.tasks)):
            assert await found(client, self.user, path, self.shared) == set(kept.values())
            for word, item_id in kept.items():
                assert await found(client, self.user, path, word) == {item_id}

    async def assert_still_indexing(self, client: httpx.AsyncClient) -> None:
        """Changes made after the reorganisation are indexed as before."""
        word, note_id = next(iter(self.notes.items()))
        renamed = await client.patch(
            f"/notes/{note_id}", json={"title": "renamed"}, headers=self.user.headers
        )
        assert renamed.status_code == 200, renamed.text
        del self.notes[word]
        self.notes["renamed"] = note_id
        word, task_id = next(iter(self.tasks.items()))
        deleted = await client.delete(f"/tasks/{task_id}", headers=self.user.headers)
        assert deleted.status_code == 204, deleted.text
        del self.tasks[word]
        word = f"late{secrets.token_hex(3)}"
        self.notes[word] = (await make_note(client, self.user, title=word, content=self.shared))[
            "id"
        ]
        await self.assert_exact(client)


async def vacuum(database_url: str) -> None:
    engine = create_async_engine(async_url(database_url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                await connection.execute(text("VACUUM"))
            else:
                for table in ("note", "task"):
                    await connection.execute(text(f"VACUUM FULL {table}"))
    finally:
        await engine.dispose()


class TestVacuum:
    async def test_search_stays_exact(
        self, client: httpx.AsyncClient, app: FastAPI, database_url: str
    ) -> None:
        scattered = Scattered(await token_user(app), app)
        await scattered.make(client)
        await vacuum(database_url)
        await scattered.assert_exact(client)
        await scattered.assert_still_indexing(client)


class OwnSqlite:
    """A migrated SQLite database of the test's own, scattered rows on it, and a client
    of an app serving it, for a test that rebuilds tables under the app."""

    def __init__(self, url: str, client: httpx.AsyncClient, scattered: Scattered) -> None:
        self.path = url.removeprefix("sqlite:///")
        self.url = url
        self.client = client
        self.scattered = scattered

    async def run(self, step: Callable[[Connection], None]) -> None:
        """A migration step, as `teamnotes migrate` runs one."""
        engine = migration_engine(self.url)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(step)
        finally:
            await engine.dispose()

    def note_rowids(self) -> list[int]:
        with sqlite3.connect(self.path) as connection:
            return [row[0] for row in connection.execute("SELECT rowid FROM note ORDER BY rowid")]

    def rowid_matches(self, table: str, q: str) -> set[str]:
        """What the index before revision 0008, on the rowid, finds."""
        with sqlite3.connect(self.path) as connection:
            rows = connection.execute(ROWID_MATCHES[table], (f'"{q}"*',))
            return {str(uuid.UUID(row[0])) for row in rows}  # stored as 32 hex digits


ROWID_MATCHES = {
    "note": "SELECT note.id FROM note_fts JOIN note ON note.rowid = note_fts.rowid"
    " WHERE note_fts MATCH ?",
    "task": "SELECT task.id FROM task_fts JOIN task ON task.rowid = task_fts.rowid"
    " WHERE task_fts MATCH ?",
}


@pytest.fixture
async def own_sqlite(tmp_path: Path) -> AsyncIterator[OwnSqlite]:
    url = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    await migrate(url)
    application = create_app(make_settings(url, tmp_path / "data"))
    transport = httpx.ASGITransport(app=application)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        scattered = Scattered(await token_user(application), application)
        await scattered.make(client)
        yield OwnSqlite(url, client, scattered)


def _rebuild(connection: Connection) -> None:
    # As a batch migration does it: the rows are copied into a new table, which drops
    # the old one's triggers, so a migration puts them back.
    for table in ("note", "task"):
        saved = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)
        ).scalars()
        triggers = list(saved)
        assert triggers
        operations = Operations(MigrationContext.configure(connection))
        with operations.batch_alter_table(table, recreate="always"):
            pass
        for sql in triggers:
            connection.exec_driver_sql(sql)


class TestTableRebuild:
    async def test_search_stays_exact_on_sqlite(self, own_sqlite: OwnSqlite) -> None:
        before = own_sqlite.note_rowids()
        await own_sqlite.run(_rebuild)
        # The rebuild did renumber the rows: an index on the rowid would now be wrong.
        assert own_sqlite.note_rowids() != before
        await own_sqlite.scattered.assert_exact(own_sqlite.client)
        await own_sqlite.scattered.assert_still_indexing(own_sqlite.client)


def _down_one(connection: Connection) -> None:
    """Down to the revision before the index was keyed (0008)."""
    command.downgrade(alembic_config(connection), "0007")


def _up_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


class TestKeyMigration:
    async def test_it_carries_the_index_down_and_up_with_the_data(
        self, own_sqlite: OwnSqlite
    ) -> None:
        scattered = own_sqlite.scattered
        await own_sqlite.run(_down_one)
        for table, kept in (("note", scattered.notes), ("task", scattered.tasks)):
            assert own_sqlite.rowid_matches(table, scattered.shared) == set(kept.values())
            for word, item_id in kept.items():
                assert own_sqlite.rowid_matches(table, word) == {item_id}
        await own_sqlite.run(_up_to_head)
        await scattered.assert_exact(own_sqlite.client)
        await scattered.assert_still_indexing(own_sqlite.client)
