"""Live events across real `teamnotes serve` processes (API.md §8): delivery within 1 s
of a commit through another process, the per-user limit of the whole deployment, and
a shutdown that ends open streams instead of waiting for them."""

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.throttling import REDIS_URL
from tests.changes.helpers import team
from tests.changes.sse import open_events
from tests.factories import User, token_user
from tests.servers import Server, Servers, errors_in

pytestmark = pytest.mark.slow

TIMEOUT = httpx.Timeout(30)


@pytest.fixture(scope="module")
async def pair(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Server, Server]]:
    """Two servers of one process each on one database: two streams a user at most."""
    directory = tmp_path_factory.mktemp("pair")
    servers = Servers(directory)
    try:
        options = {"database_url": database_url, "data_dir": directory / "data"}
        started = await asyncio.gather(
            *(
                servers.start(**options, sse_streams_per_user="2", sse_keepalive="5")
                for _ in range(2)
            )
        )
        yield started[0], started[1]
        for server in started:
            assert errors_in(server.output) == [], server.output
    finally:
        servers.stop_all()


class TestDelivery:
    async def test_within_a_second_of_the_commit_through_another_process(
        self, pair: tuple[Server, Server], app: FastAPI
    ) -> None:
        await assert_delivered_within_a_second(*pair, app)

    async def test_through_redis_too(
        self, servers: Servers, database_url: str, tmp_path: Path, app: FastAPI
    ) -> None:
        options = {"database_url": database_url, "data_dir": tmp_path / "data"}
        writing, streaming = await asyncio.gather(
            *(servers.start(**options, redis_url=REDIS_URL) for _ in range(2))
        )
        await assert_delivered_within_a_second(writing, streaming, app)
        for server in (writing, streaming):
            assert errors_in(server.output) == [], server.output


async def assert_delivered_within_a_second(
    writing: Server, streaming: Server, app: FastAPI
) -> None:
    """Notes made through one server reach a stream on the other within 1 s of their 201."""
    user = await token_user(app)
    async with (
        httpx.AsyncClient(base_url=writing.url, timeout=TIMEOUT) as writer,
        httpx.AsyncClient(base_url=streaming.url, timeout=TIMEOUT) as reader,
    ):
        base = f"/workspaces/{await team(writer, user)}"
        async with open_events(reader, f"{base}/events", user.headers) as stream:
            await stream.next()  # the opening block: the stream follows
            delays = []
            for number in range(5):
                made = await writer.post(
                    f"{base}/notes", json={"title": f"N{number}"}, headers=user.headers
                )
                answered = time.monotonic()
                assert made.status_code == 201, made.text
                block = await stream.change()
                delays.append(time.monotonic() - answered)
                assert block.change["item"] == made.json()
                await asyncio.sleep(0.3)  # apart, so that each is a wake of its own
    print(f"\ndelivery through another process: {[round(delay, 3) for delay in delays]} s")
    assert max(delays) < 1.0, delays


class TestLimitAcrossProcesses:
    async def test_the_third_stream_is_429_on_either_process_until_one_closes(
        self, pair: tuple[Server, Server], app: FastAPI
    ) -> None:
        user = await token_user(app)
        first, second = pair
        async with (
            httpx.AsyncClient(base_url=first.url, timeout=TIMEOUT) as one,
            httpx.AsyncClient(base_url=second.url, timeout=TIMEOUT) as other,
            open_events(other, "/events", user.headers) as kept,
        ):
            async with open_events(one, "/events", user.headers):
                for http in (one, other):
                    refused = await http.get("/events", headers=user.headers)
                    assert refused.status_code == 429, refused.text
                    assert int(refused.headers["retry-after"]) > 0
            # Closed on the first process: the second may open one again.
            await _opens_soon(other, user)
            assert await kept.next() is not None


async def _opens_soon(http: httpx.AsyncClient, user: User) -> None:
    for _ in range(50):
        request = http.build_request("GET", "/events", headers=user.headers)
        response = await http.send(request, stream=True)
        await response.aclose()
        if response.status_code == 200:
            return
        assert response.status_code == 429, response.status_code
        await asyncio.sleep(0.1)
    raise AssertionError("the closed stream's slot was never given back")


class TestShutdown:
    @pytest.mark.parametrize("workers", [1, 2])
    async def test_sigterm_ends_open_streams_and_exits_at_once(
        self, servers: Servers, database_url: str, tmp_path: Path, app: FastAPI, workers: int
    ) -> None:
        server = await servers.start(
            database_url=database_url,
            data_dir=tmp_path / "data",
            workers=workers,
            shutdown_timeout="20",
        )
        users = [await token_user(app) for _ in range(3)]
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=TIMEOUT) as http,
            open_events(http, "/events", users[0].headers) as first,
            open_events(http, "/events", users[1].headers) as second,
            open_events(http, "/events", users[2].headers) as third,
        ):
            streams = (first, second, third)
            await asyncio.gather(*(stream.next() for stream in streams))
            stopping = time.monotonic()
            server.kill(signal.SIGTERM)
            # Each client sees its stream end, well within the shutdown timeout.
            await asyncio.gather(*(stream.ended(within=10) for stream in streams))
            exit_code = await asyncio.to_thread(server.process.wait, 15)
            stopped = time.monotonic() - stopping
        assert exit_code == 0, server.output
        assert stopped < 5, (stopped, server.output)
        assert errors_in(server.output) == [], server.output
