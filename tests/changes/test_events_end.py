"""When a stream ends (lost access, an expired token), how many may be open, and what an
idle one holds (API.md §8)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest
from fastapi import FastAPI

from tests.changes.conftest import streaming_client
from tests.changes.helpers import join, team
from tests.changes.sse import EventReader, open_events
from tests.conftest import running_app
from tests.factories import User, access_token, make_note, make_user, token_user


async def member_of_a_team(
    client: httpx.AsyncClient, app: FastAPI, owner: User, *, registered: bool = False
) -> tuple[User, str]:
    workspace = await team(client, owner)
    member = await (make_user(client) if registered else token_user(app))
    await join(client, owner, member, workspace, role="viewer")
    return member, f"/workspaces/{workspace}"


async def opened(stream: EventReader) -> None:
    """Past the opening `retry` block: the stream is following."""
    block = await stream.next()
    assert block is not None
    assert "retry" in block.fields


class TestLostAccess:
    # The shared app keeps alive every 15 s: a stream that ends within seconds was
    # woken by the change of access itself.
    @pytest.mark.parametrize("how", ["member removed", "workspace deleted"])
    async def test_the_stream_ends_and_cannot_be_opened_again(
        self,
        client: httpx.AsyncClient,
        live: httpx.AsyncClient,
        app: FastAPI,
        alice: User,
        how: str,
    ) -> None:
        member, base = await member_of_a_team(client, app, alice)
        path = f"{base}/members/{member.id}" if how == "member removed" else base
        async with open_events(live, f"{base}/events", member.headers) as stream:
            await opened(stream)
            removed = await client.delete(path, headers=alice.headers)
            assert removed.status_code == 204, removed.text
            assert await stream.ended() == []
        again = await live.get(f"{base}/events", headers=member.headers)
        assert again.status_code == 404, again.text

    async def test_a_member_who_leaves_keeps_other_members_streaming(
        self, client: httpx.AsyncClient, live: httpx.AsyncClient, app: FastAPI, alice: User
    ) -> None:
        member, base = await member_of_a_team(client, app, alice)
        async with (
            open_events(live, f"{base}/events", member.headers) as leaving,
            open_events(live, f"{base}/events", alice.headers) as staying,
        ):
            await opened(leaving)
            await opened(staying)
            left = await client.delete(f"{base}/members/{member.id}", headers=member.headers)
            assert left.status_code == 204, left.text
            assert await leaving.ended() == []
            made = await client.post(f"{base}/notes", json={"title": "N"}, headers=alice.headers)
            assert (await staying.change()).change["item"] == made.json()

    @pytest.mark.parametrize("where", ["personal", "team"])
    async def test_a_deleted_account(
        self,
        client: httpx.AsyncClient,
        live: httpx.AsyncClient,
        app: FastAPI,
        alice: User,
        where: str,
    ) -> None:
        member, base = await member_of_a_team(client, app, alice, registered=True)
        path = "/events" if where == "personal" else f"{base}/events"
        async with open_events(live, path, member.headers) as stream:
            await opened(stream)
            gone = await client.delete("/auth/me", headers=member.headers)
            assert gone.status_code == 204, gone.text
            assert await stream.ended() == []
        again = await live.get(path, headers=member.headers)
        assert again.status_code == 401, again.text


class TestExpiry:
    async def test_the_stream_ends_with_the_token(
        self, live: httpx.AsyncClient, app: FastAPI, alice: User
    ) -> None:
        token = access_token(app, alice.id, expires_in=2)
        headers = {"Authorization": f"Bearer {token}"}
        async with open_events(live, "/events", headers) as stream:
            await opened(stream)
            await stream.ended(within=10)
        # Ended by the expiry: the same token is refused now, a fresh one is not.
        assert (await live.get("/events", headers=headers)).status_code == 401
        async with open_events(live, "/events", alice.headers) as fresh:
            await opened(fresh)


class TestLimit:
    async def test_beyond_the_limit_is_429_until_a_stream_closes(
        self, brisk: httpx.AsyncClient, brisk_app: FastAPI
    ) -> None:
        user = await token_user(brisk_app)
        async with open_events(brisk, "/events", user.headers) as first:
            async with open_events(brisk, "/events", user.headers):
                refused = await brisk.get("/events", headers=user.headers)
                assert refused.status_code == 429, refused.text
                assert refused.json()["error_code"] == "rate_limited"
                assert int(refused.headers["retry-after"]) > 0
                # Another user's streams count apart.
                other = await token_user(brisk_app)
                async with open_events(brisk, "/events", other.headers) as theirs:
                    await opened(theirs)
            # The closed one's slot is free again (given back in the background).
            await opened(first)
            await _open_when_free(brisk, user)


async def _open_when_free(http: httpx.AsyncClient, user: User) -> None:
    for _ in range(50):
        response = await http.send(
            http.build_request("GET", "/events", headers=user.headers), stream=True
        )
        await response.aclose()
        if response.status_code == 200:
            return
        assert response.status_code == 429
        await asyncio.sleep(0.1)
    raise AssertionError("the slot was never given back")


@pytest.fixture(scope="module")
async def small_pool_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    async with running_app(
        database_url,
        tmp_path_factory,
        db_pool_size=2,
        db_pool_timeout=3,
        sse_streams_per_user=50,
    ) as application:
        yield application


class TestIdleStreams:
    async def test_twenty_idle_streams_hold_none_of_a_pool_of_two(
        self, small_pool_app: FastAPI
    ) -> None:
        user = await token_user(small_pool_app)
        async with streaming_client(small_pool_app) as http, AsyncExitStack() as stack:
            streams = [
                await stack.enter_async_context(open_events(http, "/events", user.headers))
                for _ in range(20)
            ]
            await asyncio.gather(*(opened(stream) for stream in streams))
            # At most the poll for changes holds one, for a moment.
            assert small_pool_app.state.database.reader.pool.checkedout() <= 1
            # Ordinary requests get connections (else: 503 after the pool's timeout),
            # and every stream hears the change.
            note = await make_note(http, user)
            listing = await http.get("/notes", headers=user.headers)
            assert listing.status_code == 200, listing.text
            heard = await asyncio.gather(*(stream.change() for stream in streams))
            assert {block.change["id"] for block in heard} == {note["id"]}
