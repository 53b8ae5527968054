"""Nothing is skipped (API.md §8): a copy that follows a workspace's feed, or its live
events, while many clients write to it through two server processes, ends up equal
to the workspace's lists, item for item and version for version.

The writes are random (the seed is in every failure message; CONVERGENCE_SEED picks
one), and so is their interleaving: run the module many times to gain confidence,
e.g. `for n in $(seq 20); do pytest tests/changes/test_convergence.py || break; done`.
"""

import asyncio
import os
import random
import secrets
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.changes.helpers import apply, feed_page, follow_feed, join, listed, team
from tests.changes.sse import open_events
from tests.changes.workload import Workload
from tests.factories import User, token_user
from tests.running_servers import SharedServer, shared_server

pytestmark = pytest.mark.slow

WRITERS = 12
WRITES = 300
PAGE = 7  # small, so that the follower pages while the writers write

Copy = dict[tuple[str, str], Any]


@pytest.fixture
async def server(request: pytest.FixtureRequest, database_url: str) -> SharedServer:
    return await shared_server(request, database_url)


@pytest.fixture
def seed() -> int:
    return int(os.environ.get("CONVERGENCE_SEED") or random.randrange(10**6))


@pytest.fixture
async def workload(server: SharedServer, app: FastAPI) -> Workload:
    """Two team workspaces shared by four editors."""
    users = [await token_user(app) for _ in range(4)]
    owner = users[0]
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        home, away = await team(http, owner, "Home"), await team(http, owner, "Away")
        for member in users[1:]:
            for workspace in (home, away):
                await join(http, owner, member, workspace)
    return Workload(server.url, users, home, away)


class FeedFollower:
    """A copy kept by following the feed, checking what the contract promises of
    every answer on the way."""

    def __init__(self, http: httpx.AsyncClient, base: str, user: User) -> None:
        self.http, self.base, self.user = http, base, user
        self.copy: Copy = {}
        self.cursor: str | None = None
        self.last_seq = 0
        self.answers = 0

    async def step(self) -> bool:
        """One answer applied; whether more is ready."""
        page = await feed_page(self.http, self.base, self.user, self.cursor, PAGE)
        self.answers += 1
        check_order(page["changes"], self.last_seq)
        for change in page["changes"]:
            apply(self.copy, change)
            self.last_seq = change["seq"]
        self.cursor = page["cursor"]
        return bool(page["has_more"])

    async def follow_until(self, done: "asyncio.Task[None]") -> None:
        while not done.done():
            if not await self.step():
                await asyncio.sleep(0.02)

    async def catch_up(self) -> None:
        while await self.step():
            pass


def check_order(changes: list[dict[str, Any]], after: int) -> None:
    """Increasing `seq`, all after the previous answer's, each item at most once."""
    seqs = [change["seq"] for change in changes]
    assert seqs == sorted(set(seqs)), seqs
    assert not seqs or seqs[0] > after, (after, seqs)
    items = [(change["kind"], change["id"]) for change in changes]
    assert len(set(items)) == len(items), items


async def converged(http: httpx.AsyncClient, base: str, user: User, copy: Copy) -> None:
    expected = await listed(http, base, user)
    missing = expected.keys() - copy.keys()
    extra = copy.keys() - expected.keys()
    stale = [key for key in expected.keys() & copy.keys() if copy[key] != expected[key]]
    assert (missing, extra, stale) == (set(), set(), []), (missing, extra, stale)
    assert copy == expected


class TestFeedFollower:
    async def test_a_follower_of_the_feed_converges(
        self, server: SharedServer, workload: Workload, seed: int
    ) -> None:
        owner, base = workload.users[0], f"/workspaces/{workload.home}"
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            follower = FeedFollower(http, base, owner)
            writing = asyncio.create_task(workload.run(WRITERS, WRITES, seed))
            await follower.follow_until(writing)
            await writing  # a writer's failure, if any
            await follower.catch_up()
            await converged(http, base, owner, follower.copy)
            # A copy made from scratch now is the same.
            fresh: Copy = {}
            for change in (await follow_feed(http, base, owner, None, PAGE))[0]:
                apply(fresh, change)
            assert fresh == follower.copy
        assert follower.answers > WRITES // PAGE // 4, follower.answers  # it paged along
        assert_varied(workload, seed)


def assert_varied(workload: Workload, seed: int) -> None:
    """The run did exercise every kind of write, with some of each succeeding."""
    done = {key.split()[0] for key in workload.outcomes if key.split()[1].startswith("2")}
    assert done == {"create", "update", "complete", "delete", "move"}, (seed, workload.outcomes)


class TestEventsFollower:
    async def test_a_follower_of_the_events_converges_across_a_disconnect(
        self, server: SharedServer, workload: Workload, seed: int
    ) -> None:
        owner, base = workload.users[0], f"/workspaces/{workload.home}"
        sentinel = f"sentinel-{secrets.token_hex(4)}"
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=30) as http,
            httpx.AsyncClient(base_url=server.url, timeout=60) as live,
        ):
            follower = FeedFollower(http, base, owner)
            await follower.catch_up()  # the initial load, then live from its cursor
            assert follower.cursor is not None
            copy = follower.copy
            writing = asyncio.create_task(workload.run(WRITERS, WRITES, seed))

            async def last_write() -> None:
                await writing
                made = await http.post(
                    f"{base}/notes", json={"title": sentinel}, headers=owner.headers
                )
                assert made.status_code == 201, made.text

            finishing = asyncio.create_task(last_write())
            # Live from the cursor (a query parameter), cut off half-way through the
            # writes, then resumed by Last-Event-ID on a new connection.
            last_id, seq = await follow_events(
                live,
                base,
                owner,
                copy,
                {"cursor": follower.cursor},
                {},
                follower.last_seq,
                until=lambda _change: sum(workload.outcomes.values()) >= WRITES // 2,
            )
            await follow_events(
                live,
                base,
                owner,
                copy,
                {},
                {"Last-Event-ID": last_id},
                seq,
                until=lambda change: (change["item"] or {}).get("title") == sentinel,
            )
            await finishing
            await converged(http, base, owner, copy)
        assert_varied(workload, seed)


async def follow_events(
    http: httpx.AsyncClient,
    base: str,
    user: User,
    copy: Copy,
    params: dict[str, str],
    headers: dict[str, str],
    after: int,
    *,
    until: Any,
) -> tuple[str, int]:
    """Apply a stream's changes until one satisfies `until`: the last id and seq."""
    async with open_events(http, f"{base}/events", user.headers | headers, **params) as stream:
        while True:
            block = await stream.change(within=30)
            change = block.change
            check_order([change], after)
            apply(copy, change)
            after = change["seq"]
            if until(change):
                return block.id, after
