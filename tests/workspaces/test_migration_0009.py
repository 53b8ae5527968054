"""Revision 0009 with data made by the schema before it: every note, task and
Idempotency-Key moves into its owner's personal workspace, and the API serves them
as before (API.md §7), on both engines. Down again, the rows are their owners'."""

import importlib.util
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from fastapi import FastAPI
from sqlalchemy import Connection

from teamnotes.app import create_app
from teamnotes.auth.passwords import hash_password
from teamnotes.kit.ids import new_id
from teamnotes.migrations import alembic_config, migration_engine, upgrade_to_head
from teamnotes.workspaces.gate import personal_workspace_id
from tests.conftest import BACKENDS, make_settings, new_database
from tests.factories import PASSWORD, User, access_token
from tests.workspaces.old_schema import OldData, insert_old_data
from tests.workspaces.support import join

VERSIONS = Path(__file__).parents[2] / "src/teamnotes/migrations/versions"


def migration_0009() -> ModuleType:
    path = next(VERSIONS.glob("*_0009_*.py"))
    spec = importlib.util.spec_from_file_location("revision_0009", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_frozen_namespace_is_the_applications() -> None:
    revision = migration_0009()
    for user_id in (str(new_id()), "provider|bob", "x" * 255, "é"):
        assert revision.personal(user_id) == personal_workspace_id(user_id)


async def run(url: str, step: Callable[[Connection], Any]) -> Any:
    engine = migration_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(step)
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def old(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[str, OldData]]:
    """A database at revision 0008, holding users, notes, tasks and keys of then."""
    async with new_database(request.param, tmp_path) as url:
        await run(url, lambda connection: command.upgrade(alembic_config(connection), "0008"))
        data = OldData(password_hash=await hash_password(PASSWORD))
        await run(url, lambda connection: insert_old_data(connection, data))
        yield url, data


@pytest.fixture
async def served(
    old: tuple[str, OldData], tmp_path: Path
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, OldData]]:
    url, data = old
    engine = migration_engine(url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()
    app = create_app(make_settings(url, tmp_path / "data"))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield app, client, data


async def logged_in(client: httpx.AsyncClient, data: OldData) -> User:
    login = await client.post("/auth/token", data={"username": data.email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return User(data.alice, data.email, login.json()["access_token"])


class TestUpgrade:
    async def test_notes_and_tasks_are_served_unchanged(
        self, served: tuple[FastAPI, httpx.AsyncClient, OldData]
    ) -> None:
        _, client, data = served
        alice = await logged_in(client, data)
        notes = await client.get("/notes", params={"sort": "created_at"}, headers=alice.headers)
        assert notes.json()["items"] == data.notes_seen(data.alice)
        tasks = await client.get("/tasks", headers=alice.headers)
        assert tasks.json()["items"] == data.tasks_seen(data.alice)
        one = data.notes_seen(data.alice)[0]
        read = await client.get(f"/notes/{one['id']}", headers=alice.headers)
        assert read.headers["ETag"] == f'"{one["version"]}"'

    async def test_search_finds_them(
        self, served: tuple[FastAPI, httpx.AsyncClient, OldData]
    ) -> None:
        _, client, data = served
        alice = await logged_in(client, data)
        for path, word, title in (
            ("/notes", "zebra", "Safari"),
            ("/notes", "EGGS", "Groceries"),
            ("/tasks", "giraffe", "Feed the giraffe"),
        ):
            found = await client.get(path, params={"q": word}, headers=alice.headers)
            assert [item["title"] for item in found.json()["items"]] == [title]

    async def test_each_user_has_a_personal_workspace(
        self, served: tuple[FastAPI, httpx.AsyncClient, OldData]
    ) -> None:
        app, client, data = served
        for user_id in (data.alice, data.dave, data.bob, data.carol):
            headers = {"Authorization": f"Bearer {access_token(app, user_id)}"}
            listed = await client.get("/workspaces", headers=headers)
            assert listed.status_code == 200, listed.text
            [workspace] = listed.json()["items"]
            assert workspace["id"] == str(personal_workspace_id(user_id))
            assert (workspace["name"], workspace["personal"], workspace["role"]) == (
                "Personal",
                True,
                "owner",
            )
        bob = {"Authorization": f"Bearer {access_token(app, data.bob)}"}
        assert (await client.get("/notes", headers=bob)).json()["items"] == data.notes_seen(
            data.bob
        )
        carol = {"Authorization": f"Bearer {access_token(app, data.carol)}"}
        assert (await client.get("/tasks", headers=carol)).json()["items"] == data.tasks_seen(
            data.carol
        )

    async def test_a_retry_with_an_old_key_answers_the_old_create(
        self, served: tuple[FastAPI, httpx.AsyncClient, OldData]
    ) -> None:
        _, client, data = served
        alice = await logged_in(client, data)
        retried = await client.post(
            "/notes",
            json=data.keyed_request,
            headers={**alice.headers, "Idempotency-Key": data.key},
        )
        assert retried.status_code == 201, retried.text
        assert retried.json()["id"] == data.notes_seen(data.alice)[0]["id"]
        listed = await client.get("/notes", headers=alice.headers)
        assert listed.json()["total"] == len(data.notes_seen(data.alice))

    async def test_new_items_follow_the_old_ones(
        self, served: tuple[FastAPI, httpx.AsyncClient, OldData]
    ) -> None:
        _, client, data = served
        alice = await logged_in(client, data)
        task = await client.post("/tasks", json={"title": "Next"}, headers=alice.headers)
        assert task.json()["order"] == 1 + max(t["order"] for t in data.tasks_seen(data.alice))
        note = await client.post("/notes", json={"title": "New"}, headers=alice.headers)
        assert note.status_code == 201

    async def test_the_feed_positions_follow_the_old_changes(
        self, served: tuple[FastAPI, httpx.AsyncClient, OldData]
    ) -> None:
        app, _, data = served
        personal = personal_workspace_id(data.alice)
        async with app.state.database.reader.connect() as connection:
            positions = []
            for table in ("note", "task"):
                rows = await connection.execute(
                    sa.text(f"SELECT updated_at, change_seq FROM {table} WHERE workspace_id = :w"),  # noqa: S608
                    {"w": personal.hex if app.state.database.dialect == "sqlite" else personal},
                )
                positions += [(row.change_seq, row.updated_at) for row in rows]
            last = await connection.execute(
                sa.text("SELECT change_seq FROM workspace WHERE personal_owner_id = :u"),
                {"u": data.alice},
            )
        positions.sort()
        assert [seq for seq, _ in positions] == list(range(1, len(positions) + 1))
        assert last.scalar_one() == len(positions)


class TestDowngrade:
    async def test_the_rows_go_back_to_their_authors(
        self, served: tuple[FastAPI, httpx.AsyncClient, OldData]
    ) -> None:
        app, client, data = served
        alice = await logged_in(client, data)
        dave = {"Authorization": f"Bearer {access_token(app, data.dave)}"}
        team = (await client.post("/workspaces", json={"name": "T"}, headers=alice.headers)).json()
        await join(app, team["id"], User(data.dave, "", ""), "editor")
        made = {}
        for who, headers in (("alice", alice.headers), ("dave", dave)):
            note = await client.post(
                f"/workspaces/{team['id']}/notes", json={"title": who}, headers=headers
            )
            made[who] = note.json()["id"]
        trashed = data.notes_seen(data.alice)[1]["id"]
        assert (await client.delete(f"/notes/{trashed}", headers=alice.headers)).status_code == 204
        url = app.state.settings.database_url
        await run(url, lambda connection: command.downgrade(alembic_config(connection), "0008"))

        def owners(connection: Connection) -> dict[str, set[tuple[str, str, int]]]:
            return {
                table: {
                    (str(uuid.UUID(str(row.id))), row.owner_id, row.version)
                    for row in connection.execute(
                        sa.text(f"SELECT id, owner_id, version FROM {table}")  # noqa: S608
                    )
                }
                for table in ("note", "task")
            }

        expected = data.owners()
        # Team items go to whoever created them; the trash is emptied.
        expected["note"] |= {(made["alice"], data.alice, 1), (made["dave"], data.dave, 1)}
        expected["note"] = {row for row in expected["note"] if row[0] != trashed}
        assert await run(url, owners) == expected
