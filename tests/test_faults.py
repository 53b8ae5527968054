"""A database that cannot be reached or used answers 503 `service_unavailable` with
Retry-After, never a 500, and the service recovers by itself; a real bug stays a 500.

Real outages, made by the tests: a SQLite file that cannot be opened, the one SQLite
writer held past the pool timeout, a write lock held by another connection past the
busy timeout, and a pool exhausted on both engines. A PostgreSQL server that stops
and starts again is in test_faults_postgres.
"""

import logging
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from teamnotes.kit.db import SessionDep
from teamnotes.kit.unavailable import is_unavailable, summary
from tests.conftest import migrate
from tests.outages import assert_unavailable, captured_log, serving, user_of


async def migrated_sqlite(path: Path) -> str:
    url = f"sqlite:///{path}"
    await migrate(url)
    return url


def directory_in_its_place(path: Path) -> None:
    path.mkdir()


def its_directory_gone(path: Path) -> None:
    shutil.rmtree(path.parent)


def not_a_database(path: Path) -> None:
    path.write_bytes(b"these are notes, but not a database\n" * 200)


# Ways a SQLite file becomes unusable that hold for root too (file modes do not).
UNUSABLE = [directory_in_its_place, its_directory_gone, not_a_database]


class TestSQLiteFileUnusable:
    @pytest.mark.parametrize("spoil", UNUSABLE)
    async def test_is_503_until_the_file_is_back(
        self, tmp_path: Path, spoil: Callable[[Path], None]
    ) -> None:
        good = tmp_path / "good.db"
        user = await user_of(await migrated_sqlite(good), tmp_path / "data")
        path = tmp_path / "volume" / "teamnotes.db"
        path.parent.mkdir()
        spoil(path)
        async with serving(f"sqlite:///{path}", tmp_path / "data", user=user) as service:
            assert_unavailable(await service.list_notes())
            assert_unavailable(await service.create_note())
            # The file comes back (the volume is mounted again): no restart needed.
            if path.is_dir():
                path.rmdir()
            path.parent.mkdir(exist_ok=True)
            path.unlink(missing_ok=True)
            shutil.move(good, path)
            created = await service.create_note()
            assert created.status_code == 201, created.text
            listed = await service.list_notes()
            assert listed.status_code == 200, listed.text
            assert [note["id"] for note in listed.json()["items"]] == [created.json()["id"]]


class TestSQLiteLocked:
    async def test_a_write_waiting_past_the_busy_timeout_is_503(self, tmp_path: Path) -> None:
        path = tmp_path / "teamnotes.db"
        url = await migrated_sqlite(path)
        async with serving(url, tmp_path / "data", db_busy_timeout=0.1) as service:
            # Another process takes the write lock and keeps it.
            other = sqlite3.connect(path, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                with captured_log("teamnotes.errors") as records:
                    assert_unavailable(await service.create_note("secret-title-42"))
                # Reads go on: WAL readers never wait for the writer.
                assert (await service.list_notes()).status_code == 200
            finally:
                other.rollback()
                other.close()
            created = await service.create_note()
            assert created.status_code == 201, created.text
        # One line, without the statement or its parameters.
        [record] = records
        assert record.levelno == logging.WARNING
        assert record.exc_info is None
        message = record.getMessage()
        assert "database is locked" in message
        assert "\n" not in message
        for leak in ("secret-title-42", "INSERT", "BEGIN"):
            assert leak not in message
        assert record.request_id  # type: ignore[attr-defined]


class TestPoolExhausted:
    async def test_a_request_waiting_past_the_pool_timeout_is_503(
        self, database_url: str, backend: str, tmp_path: Path
    ) -> None:
        async with serving(
            database_url, tmp_path / "data", db_pool_size=1, db_pool_timeout=0.2
        ) as service:
            database = service.app.state.database
            # SQLite writes go through one connection; PostgreSQL has pool + overflow.
            held = 1 if backend == "sqlite" else 2
            async with AsyncExitStack() as stack:
                for _ in range(held):
                    connection = await stack.enter_async_context(database.writer.connect())
                    await connection.execute(text("SELECT 1"))
                assert_unavailable(await service.create_note())
                if backend == "sqlite":
                    # The readers have a pool of their own.
                    assert (await service.list_notes()).status_code == 200
                else:
                    assert_unavailable(await service.list_notes())
            created = await service.create_note()
            assert created.status_code == 201, created.text


class TestRealBugs:
    """Errors from the database that retrying cannot cure stay 500 internal_error."""

    @staticmethod
    async def missing_table(session: SessionDep) -> None:
        await session.execute(text("SELECT * FROM no_such_table"))

    @staticmethod
    async def integrity(session: SessionDep) -> None:
        raise IntegrityError("INSERT INTO notes …", {}, Exception("duplicate key"))

    @pytest.mark.parametrize("endpoint", [missing_table, integrity])
    async def test_is_500(
        self, database_url: str, tmp_path: Path, endpoint: Callable[..., Any]
    ) -> None:
        async with serving(database_url, tmp_path / "data") as service:
            service.app.add_api_route("/broken", endpoint)
            with captured_log("teamnotes.errors") as records:
                response = await service.client.get("/broken")
        assert response.status_code == 500, response.text
        assert response.json()["error_code"] == "internal_error"
        assert "Retry-After" not in response.headers
        [record] = records
        assert record.exc_info is not None  # a bug is logged in full


def wrapped(driver_error: Exception, **options: Any) -> DBAPIError:
    """The driver's error as SQLAlchemy raises it, statement and parameters included."""
    return DBAPIError("SELECT * FROM notes WHERE title = ?", ("secret",), driver_error, **options)


class TestClassification:
    @pytest.mark.parametrize(
        "error",
        [
            ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)"),
            OSError("Multiple exceptions: [Errno 111] …, [Errno 99] …"),
            sa_exc.TimeoutError("QueuePool limit of size 1 overflow 0 reached"),
            sa_exc.DisconnectionError("connection invalidated"),
            wrapped(Exception("connection is closed"), connection_invalidated=True),
            wrapped(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")),
            wrapped(asyncpg.exceptions.TooManyConnectionsError("too many clients already")),
            wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting")),
            wrapped(asyncpg.exceptions.AdminShutdownError("terminating connection")),
            wrapped(asyncpg.exceptions.DiskFullError("could not extend file")),
            wrapped(sqlite3.OperationalError("unable to open database file")),
            wrapped(sqlite3.OperationalError("disk I/O error")),
            wrapped(sqlite3.OperationalError("database is locked")),
            wrapped(sqlite3.OperationalError("database or disk is full")),
            wrapped(sqlite3.OperationalError("attempt to write a readonly database")),
            wrapped(sqlite3.DatabaseError("file is not a database")),
        ],
        ids=repr,
    )
    def test_unavailable(self, error: Exception) -> None:
        assert is_unavailable(error)
        assert "secret" not in summary(error)
        assert "\n" not in summary(error)

    @pytest.mark.parametrize(
        "error",
        [
            wrapped(sqlite3.OperationalError("no such table: notes")),
            wrapped(sqlite3.OperationalError('near "SELEC": syntax error')),
            wrapped(sqlite3.IntegrityError("UNIQUE constraint failed: users.email")),
            wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key value")),
            wrapped(asyncpg.exceptions.UndefinedTableError('relation "notes" does not exist')),
            wrapped(asyncpg.exceptions.QueryCanceledError("canceling statement")),
            sa_exc.ArgumentError("not a valid argument"),
            ValueError("a bug"),
        ],
        ids=repr,
    )
    def test_a_bug(self, error: Exception) -> None:
        assert not is_unavailable(error)
