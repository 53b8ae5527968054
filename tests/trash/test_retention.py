"""The trash's retention (API.md §9): what outlived TEAMNOTES_TRASH_RETENTION_DAYS goes
for good, by the server itself (once per deployment) and by `teamnotes purge`.

Each test has a database of its own, so that what a purge removed counts exactly.
"""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from teamnotes import housekeeping
from teamnotes.app import housekeeping_jobs
from teamnotes.cli import main
from teamnotes.config import get_settings
from teamnotes.housekeeping import run_due, run_once
from teamnotes.kit.db import utcnow
from tests.changes.test_feed import follow
from tests.conftest import BACKENDS, migrate, new_database, running_app
from tests.factories import User, make_note, make_task, token_user
from tests.trash.support import client_of, deleted, trash_of

RETENTION = timedelta(days=30)
INTERVAL = timedelta(minutes=5)


@pytest.fixture(params=BACKENDS)
async def own_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    async with new_database(request.param, tmp_path) as url:
        await migrate(url)
        yield url


@pytest.fixture
async def own_app(own_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FastAPI]:
    async with running_app(own_url, tmp_path_factory) as made:
        yield made


async def trashed_note_and_task(app: FastAPI, user: User) -> list[dict[str, Any]]:
    async with client_of(app) as client:
        items = [await make_note(client, user), await make_task(client, user)]
        await deleted(client, user, f"/notes/{items[0]['id']}")
        await deleted(client, user, f"/tasks/{items[1]['id']}")
    return items


def trash_purged(removed: dict[str, int]) -> int:
    return removed["trash"]


class TestTheServersPurge:
    async def test_what_outlived_the_retention_goes_and_the_rest_stays(
        self, own_app: FastAPI
    ) -> None:
        alice = await token_user(own_app)
        await trashed_note_and_task(own_app, alice)
        jobs = housekeeping_jobs(own_app.state.settings)
        async with client_of(own_app) as client:
            _, cursor = await follow(client, alice, None)
            soon = await run_once(own_app.state.database, jobs, utcnow() + RETENTION / 2)
            assert trash_purged(soon) == 0
            assert len(await trash_of(client, alice)) == 2
            later = await run_once(own_app.state.database, jobs, utcnow() + RETENTION)
            assert trash_purged(later) == 2
            assert await trash_of(client, alice) == []
            # Deletes the feed had reported already: nothing new for a client that saw them.
            assert (await follow(client, alice, cursor))[0] == []

    async def test_once_per_deployment(
        self, own_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        async with (
            running_app(own_url, tmp_path_factory) as first,
            running_app(own_url, tmp_path_factory) as second,
        ):
            alice = await token_user(first)
            await trashed_note_and_task(first, alice)
            jobs = housekeeping_jobs(first.state.settings)
            now = utcnow() + RETENTION
            results = await asyncio.gather(
                *(run_due(app.state.database, jobs, now, INTERVAL) for app in (first, second))
            )
            # One process claimed the job and purged both; the other left it alone.
            assert sorted(result.get("trash", -1) for result in results) == [-1, 2]

    async def test_a_running_server_purges_by_itself(
        self,
        own_url: str,
        tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        rounds: asyncio.Queue[dict[str, int]] = asyncio.Queue()

        async def observed(*args: Any) -> dict[str, int]:
            removed = await run_due(*args)  # committed once it returns
            rounds.put_nowait(removed)
            return removed

        monkeypatch.setattr(housekeeping, "run_due", observed)
        # A retention this short has passed by the time the second server starts.
        tiny = {"trash_retention_days": 1e-9}
        async with running_app(own_url, tmp_path_factory, **tiny) as quiet:
            alice = await token_user(quiet)
            await trashed_note_and_task(quiet, alice)
            async with running_app(own_url, tmp_path_factory, housekeeping_interval=60, **tiny):
                first_round = await asyncio.wait_for(rounds.get(), timeout=10)
            assert trash_purged(first_round) == 2
            async with client_of(quiet) as client:
                assert await trash_of(client, alice) == []


class TestPurgeCommand:
    def test_it_purges_what_outlived_the_retention(
        self,
        own_url: str,
        tmp_path: Path,
        tmp_path_factory: pytest.TempPathFactory,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        async def trashed() -> User:
            async with running_app(own_url, tmp_path_factory) as app:
                alice = await token_user(app)
                await trashed_note_and_task(app, alice)
                return alice

        async def left(user: User) -> list[Any]:
            async with running_app(own_url, tmp_path_factory) as app, client_of(app) as client:
                return await trash_of(client, user)

        alice = asyncio.run(trashed())
        monkeypatch.setenv("TEAMNOTES_DATABASE_URL", own_url)
        monkeypatch.setenv("TEAMNOTES_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("TEAMNOTES_TRASH_RETENTION_DAYS", "1e-9")
        get_settings.cache_clear()
        try:
            main(["purge"])
        finally:
            get_settings.cache_clear()
        assert "trash: 2 removed" in capsys.readouterr().out.splitlines()
        assert asyncio.run(left(alice)) == []
