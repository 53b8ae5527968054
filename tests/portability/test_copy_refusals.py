"""`teamnotes copy` refuses what it must not write into, leaves a failed copy's target
empty, and starts clean when run again (API.md §10)."""

import io
from pathlib import Path

import pytest
from alembic import command as alembic
from sqlalchemy import text

from teamnotes.migrations import alembic_config, current_revision, migration_engine
from teamnotes.portability.copy import CopyRefused, Progress, copy_database
from teamnotes.portability.progress import progress_on
from tests.conftest import BACKENDS, migrate, new_database, running_app
from tests.factories import make_note, token_user
from tests.portability.deployment import row_counts
from tests.portability.support import client_of, command


async def filled_sqlite(path: Path, factory: pytest.TempPathFactory, notes: int = 5) -> str:
    url = f"sqlite:///{path}"
    await migrate(url)
    async with running_app(url, factory) as app, client_of(app) as client:
        user = await token_user(app)
        for number in range(notes):
            await make_note(client, user, title=f"Note {number}")
    return url


class InjectedFailure(Exception):
    pass


def failing_after(batches: int) -> Progress:
    """Progress that fails the copy once that many batches are in the target."""
    seen = 0

    def copied(_rows: int) -> None:
        nonlocal seen
        seen += 1
        if seen == batches:
            raise InjectedFailure()

    return Progress(started=lambda _table, _total: None, copied=copied)


class TestRefusals:
    async def test_a_target_with_rows_is_refused_and_left_as_it_was(
        self,
        configured: pytest.MonkeyPatch,
        tmp_path: Path,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> None:
        source = await filled_sqlite(tmp_path / "source.db", tmp_path_factory)
        target = await filled_sqlite(tmp_path / "target.db", tmp_path_factory, notes=2)
        before = await row_counts(target)
        with pytest.raises(SystemExit, match=r"is not empty \(table \w+ has rows\)"):
            await command(configured, source, "copy", "--to", target)
        assert await row_counts(target) == before

    async def test_an_older_target_with_rows_is_not_even_migrated(
        self,
        configured: pytest.MonkeyPatch,
        tmp_path: Path,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> None:
        source = await filled_sqlite(tmp_path / "source.db", tmp_path_factory)
        target = f"sqlite:///{tmp_path / 'old.db'}"
        engine = migration_engine(target)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(
                    lambda sync: alembic.upgrade(alembic_config(sync), "0008")
                )
                await connection.execute(
                    text("INSERT INTO housekeeping_run (job, ran_at) VALUES ('x', '2020-01-01')")
                )
            with pytest.raises(SystemExit, match="not empty"):
                await command(configured, source, "copy", "--to", target)
            assert await current_revision(engine) == "0008"
        finally:
            await engine.dispose()

    async def test_a_source_behind_the_code_is_refused(self, tmp_path: Path) -> None:
        source = f"sqlite:///{tmp_path / 'behind.db'}"
        engine = migration_engine(source)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(
                    lambda sync: alembic.upgrade(alembic_config(sync), "0009")
                )
        finally:
            await engine.dispose()
        with pytest.raises(CopyRefused, match="run `teamnotes migrate` first"):
            await copy_database(
                source, f"sqlite:///{tmp_path / 't.db'}", progress=progress_on(io.StringIO())
            )

    async def test_an_in_memory_database_is_refused(
        self, configured: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        with pytest.raises(SystemExit, match="in-memory"):
            await command(configured, "sqlite://", "copy", "--to", f"sqlite:///{tmp_path / 't.db'}")


class TestFailureHalfway:
    @pytest.mark.parametrize("target_engine", BACKENDS)
    async def test_leaves_the_target_empty_and_a_rerun_copies_everything(
        self,
        configured: pytest.MonkeyPatch,
        tmp_path: Path,
        tmp_path_factory: pytest.TempPathFactory,
        target_engine: str,
    ) -> None:
        source = await filled_sqlite(tmp_path / "source.db", tmp_path_factory, notes=7)
        (tmp_path / "target").mkdir()
        async with new_database(target_engine, tmp_path / "target") as target:
            # Batches of two: the fourth is in the middle of the notes.
            with pytest.raises(InjectedFailure):
                await copy_database(source, target, progress=failing_after(4), batch=2)
            assert set((await row_counts(target)).values()) == {0}
            await command(configured, source, "copy", "--to", target)
            assert await row_counts(target) == await row_counts(source)
