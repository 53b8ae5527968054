"""How long a request waits for an identity provider that accepts the connection and
never answers (API.md §2): never for a key it has, at most the fetch timeout for
one it has not. The provider is the loopback JWKS endpoint of tests/auth/external."""

import asyncio
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from functools import partial

import httpx
import pytest

from tests.auth.external.apps import Deployment, deployment
from tests.auth.external.provider import SigningKey, assert_invalid_token, bearer, ed25519_key, mint


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait for what the provider's thread does (a request reaching it): no event of
    the event loop's announces it."""
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def notes_with(provider: Deployment, key: SigningKey) -> httpx.Response:
    return await provider.client.get("/notes", headers=bearer(mint(key)))


Deploy = Callable[..., AbstractAsyncContextManager[Deployment]]


@pytest.fixture
def deploy(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Deploy:
    """A provider serving these keys and an API trusting it, with these settings."""
    return partial(deployment, database_url, tmp_path_factory)


class TestUnknownKid:
    async def test_waits_no_longer_than_the_fetch_timeout(self, deploy: Deploy) -> None:
        key = ed25519_key()
        async with deploy([key], jwks_fetch_timeout=0.3, jwks_refetch_cooldown=0) as provider:
            provider.server.hanging = True
            started = time.monotonic()
            assert_invalid_token(await notes_with(provider, key))
            # 0.3 s, with room for a slow machine; an unbounded fetch took over 5 s.
            assert time.monotonic() - started < 2
            await eventually(lambda: provider.server.requests == 1)
            # Once the provider answers again, so does the API, without a restart.
            provider.server.hanging = False
            response = await notes_with(provider, key)
            assert response.status_code == 200, response.text
            assert provider.server.requests == 2


class TestCachedKid:
    async def test_answers_at_once_while_a_refetch_hangs(self, deploy: Deploy) -> None:
        key = ed25519_key()
        async with deploy(
            [key],
            jwks_max_age=0.2,
            jwks_refetch_cooldown=0,
            # Long enough that a request waiting for the refetch would time out below.
            jwks_fetch_timeout=60,
        ) as provider:
            assert (await notes_with(provider, key)).status_code == 200
            provider.server.hanging = True
            await asyncio.sleep(0.3)  # the cached keys are now older than jwks_max_age
            for _ in range(3):
                response = await asyncio.wait_for(notes_with(provider, key), timeout=10)
                assert response.status_code == 200, response.text
            # One refetch, in the background, and the provider is still silent.
            await eventually(lambda: provider.server.requests == 2)
            response = await asyncio.wait_for(notes_with(provider, key), timeout=10)
            assert response.status_code == 200, response.text
            assert provider.server.requests == 2

    async def test_stops_working_once_a_refetch_no_longer_lists_it(self, deploy: Deploy) -> None:
        withdrawn, kept = ed25519_key(), ed25519_key()
        async with deploy([withdrawn, kept], jwks_max_age=0.2, jwks_refetch_cooldown=0) as provider:
            assert (await notes_with(provider, withdrawn)).status_code == 200
            provider.server.keys.remove(withdrawn)
            await asyncio.sleep(0.3)
            # Still served from the cache while the refetch it started runs...
            assert (await notes_with(provider, withdrawn)).status_code == 200
            await eventually(lambda: provider.server.requests == 2)
            # ... whose answer, once the app has it, no longer has the key.
            async with asyncio.timeout(5):
                while (await notes_with(provider, withdrawn)).status_code == 200:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
            assert_invalid_token(await notes_with(provider, withdrawn))
            assert (await notes_with(provider, kept)).status_code == 200
