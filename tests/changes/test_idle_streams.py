"""1,000 idle event streams fit in one server process of at most 150 MB resident
(README, Syncing; bench/results/sse-idle-streams.md holds the figures measured)."""

import asyncio
import resource
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.changes.sse import EventReader, open_events
from tests.factories import User, make_note, token_user
from tests.servers import Server, Servers, errors_in

pytestmark = pytest.mark.slow

STREAMS = 1000
PER_USER = 20
BUDGET_KB = 150 * 1024
FILES = 4096  # both ends of 1,000 connections, in this process and the server


@pytest.fixture
def more_files() -> Iterator[None]:
    """Room for the sockets, here and in the server (which inherits the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = FILES if hard == resource.RLIM_INFINITY else min(FILES, hard)
    if wanted < FILES:
        pytest.skip(f"RLIMIT_NOFILE allows only {hard} open files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def resident_kb(server: Server) -> int:
    """The serving process's resident memory: with one worker, uvicorn serves in the
    process it was started as (no supervisor)."""
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1])


async def open_many(
    stack: AsyncExitStack, http: httpx.AsyncClient, users: list[User]
) -> list[EventReader]:
    async def one(user: User) -> EventReader:
        stream = await stack.enter_async_context(open_events(http, "/events", user.headers))
        assert await stream.next(within=60) is not None  # the opening block
        return stream

    streams: list[EventReader] = []
    owners = [user for user in users for _ in range(PER_USER)]
    for start in range(0, len(owners), 50):  # in bursts, as clients come
        streams += await asyncio.gather(*(one(user) for user in owners[start : start + 50]))
    return streams


class TestIdleStreams:
    @pytest.mark.usefixtures("more_files")
    async def test_a_thousand_idle_streams_within_150_mb(
        self, servers: Servers, database_url: str, tmp_path: Path, app: FastAPI, backend: str
    ) -> None:
        server = await servers.start(
            database_url=database_url,
            data_dir=tmp_path / "data",
            sse_streams_per_user=str(PER_USER),
            sse_keepalive="5",
        )
        users = [await token_user(app) for _ in range(STREAMS // PER_USER)]
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=None)
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as http,
            AsyncExitStack() as stack,
        ):
            # Warm: the routes and the feed's statements have run once.
            await make_note(http, users[0])
            async with open_events(http, "/events", users[0].headers) as warm:
                await warm.next()
            before = resident_kb(server)
            streams = await open_many(stack, http, users)
            # Idle through a few keepalives (each looks at the feed) and lease renewals.
            peak = 0
            for _ in range(12):
                await asyncio.sleep(1)
                peak = max(peak, resident_kb(server))
            assert all(stream.following for stream in streams)
        print(
            f"\nsse idle streams: engine={backend} streams={len(streams)} "
            f"rss_before_kb={before} rss_peak_kb={peak} "
            f"per_stream_kb={(peak - before) / len(streams):.1f}"
        )
        assert peak <= BUDGET_KB, (before, peak)
        assert errors_in(server.output) == [], server.output
