"""The inline SQLite reader (teamnotes.kit.inline_sqlite): what it needs of aiosqlite,
and how long a read may wait for a lock on the event loop."""

import sqlite3
import time
from pathlib import Path
from typing import Any

import aiosqlite
import httpx
import pytest

from teamnotes.app import create_app
from teamnotes.kit.db import Database
from teamnotes.kit.inline_sqlite import check_supported
from tests.conftest import make_settings, migrate
from tests.factories import token_user


class TestUnsupportedAiosqlite:
    @pytest.fixture
    def without_queue(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An aiosqlite whose Connection keeps its work elsewhere than `_tx`."""
        original = aiosqlite.Connection.__init__

        def init(self: aiosqlite.Connection, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            del self._tx

        monkeypatch.setattr(aiosqlite.Connection, "__init__", init)

    def test_the_installed_version_is_supported(self) -> None:
        check_supported()

    @pytest.mark.usefixtures("without_queue")
    def test_a_sqlite_database_refuses_to_start(self, tmp_path: Path) -> None:
        message = r"aiosqlite \S+ is not supported by teamnotes' inline SQLite reader"
        with pytest.raises(RuntimeError, match=message):
            Database(f"sqlite:///{tmp_path / 'teamnotes.db'}")

    @pytest.mark.usefixtures("without_queue")
    def test_postgresql_and_memory_databases_do_not_need_it(self) -> None:
        Database("postgresql://postgres@127.0.0.1:5432/test")
        Database("sqlite://")


class TestLockedDatabase:
    async def test_a_read_fails_quickly_instead_of_blocking(self, tmp_path: Path) -> None:
        path = tmp_path / "locked.db"
        url = f"sqlite:///{path}"
        await migrate(url)
        # In WAL mode readers wait for no writer (BEGIN EXCLUSIVE is BEGIN IMMEDIATE
        # there); a connection in exclusive locking mode is what makes them wait.
        locker = sqlite3.connect(path, isolation_level=None)
        application = create_app(make_settings(url, tmp_path / "data"))
        transport = httpx.ASGITransport(app=application)
        user = await token_user(application)
        await application.state.database.dispose()  # no connection of ours stays open
        try:
            locker.execute("PRAGMA locking_mode=EXCLUSIVE")
            locker.execute("SELECT count(*) FROM note").fetchall()
            async with (
                application.router.lifespan_context(application),
                httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
            ):
                started = time.monotonic()
                response = await client.get("/notes", headers=user.headers)
                waited = time.monotonic() - started
                # Without a timeout of their own, readers waited 5 s here (then 15 s).
                assert response.status_code >= 500, response.text
                assert waited < 3
                locker.close()  # the lock goes with it
                again = await client.get("/notes", headers=user.headers)
                assert again.status_code == 200, again.text
        finally:
            locker.close()
