"""`Idempotency-Key` on POST /notes (API.md §1, Idempotent creation), on both engines.

A retry with the same key and body by the same user within 24 h answers the original
201 and creates nothing, even when the retries arrive together (each then answers
that 201, or 409 while the first is still in flight); another body with the same key
is 422 `idempotency_key_reused`.
"""

import asyncio
import secrets
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from teamnotes.kit.db import Database, utcnow
from teamnotes.kit.idempotency import IdempotencyKey
from tests.factories import User, token_user
from tests.running_servers import shared_server
from tests.servers import errors_in

ATTEMPTS = 50


def new_key() -> str:
    return f"key-{secrets.token_hex(8)}"


async def create(
    client: httpx.AsyncClient,
    user: User,
    key: str | bytes | None,
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    headers: dict[str, Any] = dict(user.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return await client.post("/notes", json=body or {"title": "Once"}, headers=headers)


async def total(client: httpx.AsyncClient, user: User) -> int:
    response = await client.get("/notes", params={"limit": 1}, headers=user.headers)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def assert_one_creation(responses: list[httpx.Response]) -> httpx.Response:
    """Every answer is the one 201 (or a 409 while it was in flight): return it."""
    created = [response for response in responses if response.status_code == 201]
    others = [response for response in responses if response.status_code != 201]
    assert created, [response.text for response in responses]
    for response in others:
        assert response.status_code == 409, response.text
        assert response.json()["error_code"] == "conflict"
    first = created[0]
    for response in created:
        assert response.json()["id"] == first.json()["id"]
        assert response.headers["location"] == first.headers["location"]
        assert response.headers["etag"] == first.headers["etag"] == '"1"'
        assert response.content == first.content
    assert first.headers["location"] == f"/notes/{first.json()['id']}"
    return first


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


@pytest.fixture
async def bob(app: FastAPI) -> User:
    return await token_user(app)


class TestIdempotentCreateNote:
    async def test_concurrent_retries_with_one_key_create_one_note(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        key = new_key()
        responses = await asyncio.gather(
            *(
                create(client, alice, key, {"title": "Once", "content": "x"})
                for _ in range(ATTEMPTS)
            )
        )
        created = assert_one_creation(responses)
        assert await total(client, alice) == 1
        stored = await client.get(created.headers["location"], headers=alice.headers)
        assert stored.json() == created.json()

    async def test_a_sequential_retry_returns_the_original_response(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        key = new_key()
        first = await create(client, alice, key, {"title": "Retry me", "content": "body"})
        assert first.status_code == 201, first.text
        # The note changes afterwards; the retry still gets the original answer.
        patched = await client.patch(
            first.headers["location"], json={"title": "Changed"}, headers=alice.headers
        )
        assert patched.status_code == 200
        retry = await create(client, alice, key, {"title": "Retry me", "content": "body"})
        assert retry.status_code == 201
        assert retry.content == first.content
        assert retry.headers["location"] == first.headers["location"]
        assert retry.headers["etag"] == first.headers["etag"]
        assert retry.headers["content-type"] == "application/json"
        assert await total(client, alice) == 1

    async def test_the_same_key_with_another_body_is_422_and_creates_nothing(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        key = new_key()
        first = await create(client, alice, key, {"title": "Original"})
        assert first.status_code == 201
        for other in ({"title": "Different"}, {"title": "Original", "content": "more"}):
            response = await create(client, alice, key, other)
            assert response.status_code == 422, response.text
            body = response.json()
            assert body["error_code"] == "idempotency_key_reused"
            assert body["field"] == "header.Idempotency-Key"
            assert body["errors"][0]["field"] == "header.Idempotency-Key"
            assert body["request_id"] == response.headers["x-request-id"]
        assert await total(client, alice) == 1
        # The key still answers its own request.
        again = await create(client, alice, key, {"title": "Original"})
        assert again.json()["id"] == first.json()["id"]

    async def test_another_user_with_the_same_key_creates_their_own_note(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        key = new_key()
        alices = await create(client, alice, key)
        bobs = await create(client, bob, key)
        assert alices.status_code == bobs.status_code == 201
        assert alices.json()["id"] != bobs.json()["id"]
        assert await total(client, alice) == 1
        assert await total(client, bob) == 1
        other = await client.get(bobs.headers["location"], headers=alice.headers)
        assert other.status_code == 404

    async def test_different_keys_create_different_notes(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        responses = await asyncio.gather(*(create(client, alice, new_key()) for _ in range(5)))
        assert [response.status_code for response in responses] == [201] * 5
        assert len({response.json()["id"] for response in responses}) == 5
        assert await total(client, alice) == 5

    async def test_without_a_key_every_post_creates(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        for _ in range(2):
            assert (await create(client, alice, None)).status_code == 201
        assert await total(client, alice) == 2

    async def test_an_invalid_body_with_a_key_does_not_use_the_key(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        key = new_key()
        refused = await create(client, alice, key, {"title": ""})
        assert refused.status_code == 422
        assert refused.json()["field"] == "title"
        created = await create(client, alice, key, {"title": "Valid"})
        assert created.status_code == 201
        assert await total(client, alice) == 1

    @pytest.mark.parametrize(
        "key",
        [
            "",
            "k" * 256,
            "with space",
            " leading",
            "clé".encode(),
            "caf\xe9".encode("latin-1"),
            "tab\there",
            b"del\x7f",
        ],
        ids=["empty", "256-chars", "space", "leading-space", "utf-8", "latin-1", "tab", "del"],
    )
    async def test_an_invalid_key_is_422_and_creates_nothing(
        self, client: httpx.AsyncClient, alice: User, key: str | bytes
    ) -> None:
        response = await create(client, alice, key)
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["error_code"] == "validation_error"
        assert body["field"] == "header.Idempotency-Key"
        assert body["errors"][0]["field"] == "header.Idempotency-Key"
        assert await total(client, alice) == 0

    @pytest.mark.parametrize("key", ["k", "k" * 255, "!#$%&'*+-.^_`|~09AZaz", 'a"b/c:d{}'])
    async def test_keys_of_visible_ascii_up_to_255_characters_are_accepted(
        self, client: httpx.AsyncClient, alice: User, key: str
    ) -> None:
        first = await create(client, alice, key)
        retry = await create(client, alice, key)
        assert first.status_code == retry.status_code == 201
        assert retry.json()["id"] == first.json()["id"]
        assert await total(client, alice) == 1


async def age_key(database: Database, owner_id: str, key: str, age: timedelta) -> None:
    async with database.writer.begin() as connection:
        await connection.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.owner_id == owner_id, IdempotencyKey.key == key)
            .values(created_at=utcnow() - age)
        )


async def stored_keys(database: Database, owner_id: str, key: str) -> int:
    async with database.writer.connect() as connection:
        counted = await connection.execute(
            select(func.count()).where(
                IdempotencyKey.owner_id == owner_id, IdempotencyKey.key == key
            )
        )
        return int(counted.scalar_one())


class TestIdempotencyKeyExpiry:
    async def test_a_key_younger_than_24_hours_still_replays(
        self, client: httpx.AsyncClient, alice: User, app: FastAPI
    ) -> None:
        key = new_key()
        first = await create(client, alice, key)
        await age_key(app.state.database, alice.id, key, timedelta(hours=23, minutes=59))
        retry = await create(client, alice, key)
        assert retry.json()["id"] == first.json()["id"]
        assert await total(client, alice) == 1

    async def test_a_key_older_than_24_hours_no_longer_replays_and_is_replaced(
        self, client: httpx.AsyncClient, alice: User, bob: User, app: FastAPI
    ) -> None:
        database: Database = app.state.database
        key, other_key = new_key(), new_key()
        first = await create(client, alice, key)
        await create(client, bob, other_key)
        await age_key(database, alice.id, key, timedelta(hours=24, seconds=1))
        await age_key(database, bob.id, other_key, timedelta(days=3))

        retry = await create(client, alice, key)
        assert retry.status_code == 201
        assert retry.json()["id"] != first.json()["id"]
        assert await total(client, alice) == 2
        # Claiming a key replaced that one only: other expired keys, another user's
        # here, wait for housekeeping (tests/test_housekeeping.py).
        assert await stored_keys(database, alice.id, key) == 1
        assert await stored_keys(database, bob.id, other_key) == 1
        # The new claim replays in its turn.
        again = await create(client, alice, key)
        assert again.json()["id"] == retry.json()["id"]
        assert await total(client, alice) == 2


@pytest.mark.slow
class TestIdempotencyOnARealServer:
    async def test_concurrent_retries_to_two_workers_create_one_note(
        self, request: pytest.FixtureRequest, database_url: str, app: FastAPI
    ) -> None:
        server = await shared_server(request, database_url)
        user, key = await token_user(app), new_key()
        # A connection per request, so that both workers take their share.
        limits = httpx.Limits(max_connections=ATTEMPTS, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as http:
            responses = await asyncio.gather(
                *(create(http, user, key, {"title": "Wire"}) for _ in range(ATTEMPTS))
            )
            assert_one_creation(responses)
            assert await total(http, user) == 1
        assert errors_in(server.server.output) == [], server.server.output
