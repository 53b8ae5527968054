"""`teamnotes backup FILE` (API.md §10): a consistent copy of a serving SQLite database,
and a plain refusal, naming pg_dump, on PostgreSQL."""

import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, migrate, running_app
from tests.portability.deployment import FILLING, fill, row_counts, seen
from tests.portability.support import client_of, command


class TestBackup:
    async def test_a_serving_database_is_copied_and_the_copy_serves_the_same(
        self,
        configured: pytest.MonkeyPatch,
        tmp_path: Path,
        tmp_path_factory: pytest.TempPathFactory,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        live = f"sqlite:///{tmp_path / 'live.db'}"
        backup = tmp_path / "backups" / "teamnotes.db"
        backup.parent.mkdir()
        backup.write_bytes(b"last night's, replaced")
        await migrate(live)
        async with (
            running_app(live, tmp_path_factory, **FILLING) as app,
            client_of(app) as client,
        ):
            deployment = await fill(client, app)
            before = await seen(client, deployment)
            await command(configured, live, "backup", str(backup))
            assert f"backed up to {backup}" in capsys.readouterr().out
            counts = await row_counts(live)
        assert [path.name for path in backup.parent.iterdir()] == ["teamnotes.db"]
        with sqlite3.connect(backup) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        restored = f"sqlite:///{backup}"
        assert await row_counts(restored) == counts
        async with running_app(restored, tmp_path_factory) as app, client_of(app) as client:
            assert await seen(client, deployment) == before

    async def test_postgresql_is_refused_with_pg_dump_named(
        self, configured: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        with pytest.raises(SystemExit, match="use pg_dump") as refused:
            await command(configured, POSTGRES_URL, "backup", str(tmp_path / "backup.db"))
        assert str(refused.value).startswith("teamnotes backup: the database is PostgreSQL")
        assert [name for name in os.listdir(tmp_path) if name.startswith("backup.db")] == []

    @pytest.mark.parametrize(
        ("database", "problem"),
        [
            ("sqlite://", "in memory"),
            ("sqlite:///{tmp}/missing.db", "there is no database at"),
        ],
    )
    async def test_what_cannot_be_backed_up_is_refused(
        self, configured: pytest.MonkeyPatch, tmp_path: Path, database: str, problem: str
    ) -> None:
        url = database.format(tmp=tmp_path)
        with pytest.raises(SystemExit, match=problem):
            await command(configured, url, "backup", str(tmp_path / "backup.db"))

    async def test_the_database_itself_and_a_missing_folder_are_refused(
        self, configured: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        live = tmp_path / "live.db"
        await migrate(f"sqlite:///{live}")
        with pytest.raises(SystemExit, match="cannot replace the database itself"):
            await command(configured, f"sqlite:///{live}", "backup", str(live))
        with pytest.raises(SystemExit, match="there is no folder"):
            await command(configured, f"sqlite:///{live}", "backup", str(tmp_path / "no" / "b.db"))
