"""No lost updates (API.md §1, Concurrency) against a running server with two workers.

Two writers that both send the same `If-Match` race, round after round, over two
connections opened beforehand, so that both requests leave at the same moment and
may be served by different worker processes. Exactly one wins each round; the other
is refused (412 when the note is still there at another version, 404 when it is gone)
and changes nothing.
"""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import User, make_note, token_user
from tests.running_servers import SharedServer, shared_server
from tests.servers import errors_in

pytestmark = pytest.mark.slow

ROUNDS = 30


@pytest.fixture
async def server(request: pytest.FixtureRequest, database_url: str) -> SharedServer:
    return await shared_server(request, database_url)


@pytest.fixture
async def two_clients(server: SharedServer) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    """Two clients of one connection each, connected before the race starts."""
    limits = httpx.Limits(max_connections=1)
    async with (
        httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as first,
        httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as second,
    ):
        await asyncio.gather(first.get("/healthz"), second.get("/healthz"))
        yield first, second


async def at_once(*requests: Any) -> list[httpx.Response]:
    return list(await asyncio.gather(*requests))


def if_match(user: User, version: int) -> dict[str, str]:
    return {**user.headers, "If-Match": f'"{version}"'}


class TestConcurrentPatches:
    async def test_two_patches_with_one_if_match_one_wins_every_round(
        self, two_clients: tuple[httpx.AsyncClient, ...], server: SharedServer, app: FastAPI
    ) -> None:
        first, second = two_clients
        user = await token_user(app)
        note = await make_note(first, user, title="Contested", content="")
        path = f"/notes/{note['id']}"
        winners = Counter[str]()
        for version in range(1, ROUNDS + 1):
            responses = await at_once(
                first.patch(path, json={"content": f"A{version}"}, headers=if_match(user, version)),
                second.patch(
                    path, json={"content": f"B{version}"}, headers=if_match(user, version)
                ),
            )
            statuses = sorted(response.status_code for response in responses)
            assert statuses == [200, 412], [response.text for response in responses]
            won = next(response for response in responses if response.status_code == 200)
            lost = next(response for response in responses if response.status_code == 412)
            assert won.json()["version"] == version + 1
            assert won.headers["etag"] == f'"{version + 1}"'
            assert lost.json()["error_code"] == "precondition_failed"
            winners[won.json()["content"][0]] += 1

            current = (await first.get(path, headers=user.headers)).json()
            assert current["version"] == version + 1
            assert current["content"] == won.json()["content"]

        final = (await second.get(path, headers=user.headers)).json()
        assert final["version"] == 1 + ROUNDS
        assert sum(winners.values()) == ROUNDS
        assert errors_in(server.server.output) == [], server.server.output

    async def test_a_patch_and_a_put_with_one_if_match_one_wins(
        self, two_clients: tuple[httpx.AsyncClient, ...], app: FastAPI
    ) -> None:
        first, second = two_clients
        user = await token_user(app)
        note = await make_note(first, user, title="Contested", content="")
        path = f"/notes/{note['id']}"
        for version in range(1, ROUNDS // 3 + 1):
            responses = await at_once(
                first.patch(path, json={"title": f"P{version}"}, headers=if_match(user, version)),
                second.put(
                    path,
                    json={"title": f"R{version}", "content": "replaced"},
                    headers=if_match(user, version),
                ),
            )
            assert sorted(r.status_code for r in responses) == [200, 412]
        final = (await first.get(path, headers=user.headers)).json()
        assert final["version"] == 1 + ROUNDS // 3


class TestConcurrentDeleteAndPatch:
    async def test_a_delete_and_a_patch_with_one_if_match_exactly_one_wins(
        self, two_clients: tuple[httpx.AsyncClient, ...], server: SharedServer, app: FastAPI
    ) -> None:
        first, second = two_clients
        user = await token_user(app)
        outcomes = Counter[str]()
        for round_number in range(ROUNDS):
            note = await make_note(first, user, title=f"Round {round_number}")
            path = f"/notes/{note['id']}"
            deleted, patched = await at_once(
                first.delete(path, headers=if_match(user, 1)),
                second.patch(path, json={"title": "Patched"}, headers=if_match(user, 1)),
            )
            after = await first.get(path, headers=user.headers)
            if deleted.status_code == 204:
                # The PATCH came second: the note is gone, whatever its If-Match said.
                assert patched.status_code == 404, patched.text
                assert patched.json()["error_code"] == "not_found"
                assert after.status_code == 404
                outcomes["delete"] += 1
            else:
                assert deleted.status_code == 412, deleted.text
                assert deleted.json()["error_code"] == "precondition_failed"
                assert patched.status_code == 200, patched.text
                assert after.json()["version"] == 2
                assert after.json()["title"] == "Patched"
                outcomes["patch"] += 1
        assert sum(outcomes.values()) == ROUNDS
        listing = await first.get("/notes", params={"limit": 1}, headers=user.headers)
        assert listing.json()["total"] == outcomes["patch"]
        assert errors_in(server.server.output) == [], server.server.output

    async def test_two_deletes_with_one_if_match_one_deletes(
        self, two_clients: tuple[httpx.AsyncClient, ...], app: FastAPI
    ) -> None:
        first, second = two_clients
        user = await token_user(app)
        for round_number in range(ROUNDS // 3):
            note = await make_note(first, user, title=f"Round {round_number}")
            path = f"/notes/{note['id']}"
            responses = await at_once(
                first.delete(path, headers=if_match(user, 1)),
                second.delete(path, headers=if_match(user, 1)),
            )
            assert sorted(r.status_code for r in responses) == [204, 404]
