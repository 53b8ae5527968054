"""The provider's keys change: rotation and the cache of its key set."""

import asyncio
from collections.abc import Callable

import pytest

from tests.auth.external.apps import deployment
from tests.auth.external.provider import (
    SigningKey,
    assert_invalid_token,
    bearer,
    ed25519_key,
    mint,
    p256_key,
    rsa_key,
)


class TestKeyRotation:
    @pytest.mark.parametrize("new_key", [ed25519_key, p256_key, rsa_key])
    async def test_a_new_kid_is_accepted_without_restart(
        self,
        database_url: str,
        tmp_path_factory: pytest.TempPathFactory,
        new_key: Callable[[], SigningKey],
    ) -> None:
        old = ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [old], jwks_refetch_cooldown=0
        ) as provider:
            assert (
                await provider.client.get("/notes", headers=bearer(mint(old)))
            ).status_code == 200
            rotated = new_key()
            provider.server.keys.append(rotated)
            response = await provider.client.get("/notes", headers=bearer(mint(rotated)))
            assert response.status_code == 200, response.text
            assert provider.server.requests == 2
            # Tokens signed with the previous key stay valid, from the cache.
            assert (
                await provider.client.get("/notes", headers=bearer(mint(old)))
            ).status_code == 200
            assert provider.server.requests == 2

    async def test_a_key_published_within_the_cooldown_is_accepted_after_it(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        old, rotated = ed25519_key(), ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [old], jwks_refetch_cooldown=0.5
        ) as provider:
            response = await provider.client.get("/notes", headers=bearer(mint(old)))
            assert response.status_code == 200, response.text
            provider.server.keys.append(rotated)
            # Right after a fetch, an unknown kid does not make another one...
            assert_invalid_token(await provider.client.get("/notes", headers=bearer(mint(rotated))))
            assert provider.server.requests == 1
            # ... once the cooldown has passed, it does.
            await asyncio.sleep(0.6)
            response = await provider.client.get("/notes", headers=bearer(mint(rotated)))
            assert response.status_code == 200, response.text
            assert provider.server.requests == 2


class TestJWKSCache:
    async def test_is_fetched_once_for_many_requests(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        key = ed25519_key()
        async with deployment(database_url, tmp_path_factory, [key]) as provider:
            assert provider.server.requests == 0  # fetched on first use, not at start-up
            headers = bearer(mint(key))
            responses = await asyncio.gather(
                *[provider.client.get("/notes", headers=headers) for _ in range(8)]
            )
            for _ in range(5):
                responses.append(await provider.client.get("/notes", headers=bearer(mint(key))))
            assert {response.status_code for response in responses} == {200}
            assert provider.server.requests == 1

    async def test_unknown_kid_refetches_at_most_once_per_cooldown(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        key = ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [key], jwks_refetch_cooldown=1.0
        ) as provider:

            async def unknown_kids(how_many: int) -> None:
                tokens = [mint(ed25519_key()) for _ in range(how_many)]
                responses = await asyncio.gather(
                    *[provider.client.get("/notes", headers=bearer(token)) for token in tokens]
                )
                for response in responses:
                    assert_invalid_token(response)

            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200
            assert provider.server.requests == 1
            await unknown_kids(6)  # within the cooldown of that fetch: no refetch
            assert provider.server.requests == 1
            await asyncio.sleep(1.1)
            await unknown_kids(6)  # the cooldown has passed: one refetch for all of them
            assert provider.server.requests == 2
            await unknown_kids(3)
            assert provider.server.requests == 2
            # The known key never waited for any of it.
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200
            assert provider.server.requests == 2
