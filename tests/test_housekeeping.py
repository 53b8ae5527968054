"""Housekeeping: expired idempotency keys and login failures are purged by the server,
once per interval per deployment whatever the number of processes, and by
`teamnotes purge`; on both engines."""

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes import app as app_module
from teamnotes.app import create_app, housekeeping_jobs
from teamnotes.auth.models import LoginFailure
from teamnotes.cli import main
from teamnotes.config import Settings, get_settings
from teamnotes.housekeeping import Job, run_due, run_once, run_periodically
from teamnotes.kit.db import Database, utcnow
from teamnotes.kit.idempotency import IdempotencyKey
from teamnotes.workspaces.gate import personal_workspace_id
from tests.conftest import BACKENDS, make_settings, migrate, new_database

INTERVAL = timedelta(minutes=5)


class Expiring:
    """Rows of this test's own, one expired and one fresh of each kind."""

    def __init__(self) -> None:
        self.owner = f"housekeeping-{secrets.token_hex(6)}"
        self.now = utcnow()

    async def insert(self, database: Database) -> None:
        ages = {"expired": timedelta(hours=24, seconds=1), "fresh": timedelta(hours=23)}
        failure_ages = {"expired": timedelta(minutes=15, seconds=1), "fresh": timedelta(minutes=14)}
        async with database.writer.begin() as connection:
            for name, age in ages.items():
                await connection.execute(
                    insert(IdempotencyKey).values(
                        owner_id=self.owner,
                        workspace_id=personal_workspace_id(self.owner),
                        key=name,
                        fingerprint="f",
                        created_at=self.now - age,
                    )
                )
            for name, age in failure_ages.items():
                await connection.execute(
                    insert(LoginFailure).values(
                        key=f"email:{name}-{self.owner}", failed_at=self.now - age
                    )
                )

    async def left(self, database: Database) -> tuple[list[str], int, int]:
        """The keys left, then the expired and the fresh failures left."""
        async with database.reader.connect() as connection:
            keys = await connection.execute(
                select(IdempotencyKey.key).where(IdempotencyKey.owner_id == self.owner)
            )
            failures = [
                (
                    await connection.execute(
                        select(func.count()).where(LoginFailure.key == f"email:{name}-{self.owner}")
                    )
                ).scalar_one()
                for name in ("expired", "fresh")
            ]
        return sorted(keys.scalars()), failures[0], failures[1]


@pytest.fixture(scope="module", params=BACKENDS)
async def own_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A migrated database of each engine that only this module uses: no other test
    leaves expired rows in it, so what a purge removed can be counted exactly."""
    async with new_database(request.param, tmp_path_factory.mktemp("housekeeping")) as url:
        await migrate(url)
        yield url


@pytest.fixture
async def own_database(own_database_url: str) -> AsyncIterator[Database]:
    database = Database(own_database_url)
    yield database
    await database.dispose()


class TestRunOnce:
    async def test_removes_what_expired_and_keeps_the_rest(self, own_database: Database) -> None:
        rows = Expiring()
        await rows.insert(own_database)
        jobs = housekeeping_jobs(Settings())
        removed = await run_once(own_database, jobs, rows.now)
        assert removed == {
            "idempotency_keys": 1,
            "login_failures": 1,
            "change_tombstones": 0,
            "event_streams": 0,
            "trash": 0,
            "webhook_deliveries": 0,
        }
        assert await rows.left(own_database) == (["fresh"], 0, 1)
        assert await run_once(own_database, jobs, rows.now) == dict.fromkeys(removed, 0)


class Counting:
    """A job that counts its runs."""

    def __init__(self, fail_first: int = 0) -> None:
        self.name = f"test-{secrets.token_hex(6)}"
        self.runs = 0
        self.fail_first = fail_first
        self.ran = asyncio.Event()

    async def purge(self, _session: AsyncSession, _now: datetime) -> int:
        self.runs += 1
        if self.runs <= self.fail_first:
            raise RuntimeError("this purge fails")
        self.ran.set()
        return 1

    @property
    def jobs(self) -> list[Job]:
        return [Job(self.name, self.purge)]


@pytest.fixture
async def two_apps(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[FastAPI, FastAPI]]:
    """Two processes' worth: two apps on one database, with no housekeeping of their own."""
    apps = [
        create_app(
            make_settings(database_url, tmp_path_factory.mktemp("data"), housekeeping_interval=0)
        )
        for _ in range(2)
    ]
    async with apps[0].router.lifespan_context(apps[0]), apps[1].router.lifespan_context(apps[1]):
        yield apps[0], apps[1]


class TestOncePerDeployment:
    async def test_two_processes_at_the_same_moment_run_a_job_once(
        self, two_apps: tuple[FastAPI, FastAPI]
    ) -> None:
        job = Counting()
        now = utcnow()
        results = await asyncio.gather(
            *(run_due(app.state.database, job.jobs, now, INTERVAL) for app in two_apps)
        )
        assert job.runs == 1
        assert sorted(results, key=len) == [{}, {job.name: 1}]
        # Within the interval nobody runs it again; after it, one does.
        second = two_apps[1].state.database
        assert await run_due(second, job.jobs, now + INTERVAL / 2, INTERVAL) == {}
        assert await run_due(second, job.jobs, now + INTERVAL, INTERVAL) == {job.name: 1}
        assert job.runs == 2

    async def test_a_failed_purge_gives_its_claim_back(self, app: FastAPI) -> None:
        job = Counting(fail_first=1)
        now = utcnow()
        with pytest.raises(RuntimeError):
            await run_due(app.state.database, job.jobs, now, INTERVAL)
        assert await run_due(app.state.database, job.jobs, now, INTERVAL) == {job.name: 1}


class FailureLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.failures = 0
        self.two = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.failures += 1
            if self.failures >= 2:
                self.two.set()


@pytest.fixture
def failure_log() -> Iterator[FailureLog]:
    handler = FailureLog()
    logger = logging.getLogger("teamnotes.housekeeping")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


class TestInTheServer:
    async def test_a_failing_round_is_logged_and_the_next_one_runs(
        self, app: FastAPI, failure_log: FailureLog
    ) -> None:
        job = Counting(fail_first=1)
        interval = timedelta(milliseconds=50)
        loop = asyncio.create_task(run_periodically(app.state.database, job.jobs, interval))
        try:
            await asyncio.wait_for(job.ran.wait(), timeout=10)
        finally:
            loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop
        assert failure_log.failures == 1

    async def test_a_database_outage_skips_rounds_and_never_ends_the_loop(
        self, failure_log: FailureLog
    ) -> None:
        unreachable = Database("postgresql://postgres@127.0.0.1:1/nowhere")
        interval = timedelta(milliseconds=50)
        loop = asyncio.create_task(
            run_periodically(unreachable, housekeeping_jobs(Settings()), interval)
        )
        try:
            await asyncio.wait_for(failure_log.two.wait(), timeout=10)
            assert not loop.done()
        finally:
            loop.cancel()
            await unreachable.dispose()
        with pytest.raises(asyncio.CancelledError):
            await loop

    async def test_the_app_runs_it_from_start_to_shutdown(
        self,
        database_url: str,
        tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        job = Counting()
        monkeypatch.setattr(app_module, "housekeeping_jobs", lambda _settings: job.jobs)
        application = create_app(
            make_settings(database_url, tmp_path_factory.mktemp("data"), housekeeping_interval=60)
        )
        # Within a bound: the first round at start-up, and a prompt stop at shutdown.
        async with asyncio.timeout(10), application.router.lifespan_context(application):
            await job.ran.wait()
        assert job.runs == 1


class TestPurgeCommand:
    def test_prints_what_each_job_removed(
        self,
        own_database_url: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        monkeypatch.setenv("TEAMNOTES_DATABASE_URL", own_database_url)
        monkeypatch.setenv("TEAMNOTES_DATA_DIR", str(tmp_path))
        rows = Expiring()

        async def rows_left(insert_first: bool) -> tuple[list[str], int, int]:
            database = Database(own_database_url)
            try:
                if insert_first:
                    await rows.insert(database)
                return await rows.left(database)
            finally:
                await database.dispose()

        assert asyncio.run(rows_left(insert_first=True)) == (["expired", "fresh"], 1, 1)
        get_settings.cache_clear()
        try:
            main(["purge"])
        finally:
            get_settings.cache_clear()
        assert capsys.readouterr().out.splitlines() == [
            "idempotency_keys: 1 removed",
            "login_failures: 1 removed",
            "change_tombstones: 0 removed",
            "event_streams: 0 removed",
            "trash: 0 removed",
            "webhook_deliveries: 0 removed",
        ]
        assert asyncio.run(rows_left(insert_first=False)) == (["fresh"], 0, 1)

    def test_an_in_memory_database_has_nothing_to_purge(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        monkeypatch.setenv("TEAMNOTES_DATABASE_URL", "sqlite://")
        monkeypatch.setenv("TEAMNOTES_DATA_DIR", str(tmp_path))
        get_settings.cache_clear()
        try:
            main(["purge"])
        finally:
            get_settings.cache_clear()
        assert capsys.readouterr().out == ""
