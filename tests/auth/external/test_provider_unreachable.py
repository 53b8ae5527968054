"""A provider that fails, hangs or moves its keys: the API's answers and headers."""

from collections.abc import Iterator

import httpx
import pytest

from tests.auth.external.apps import Provider, deployment
from tests.auth.external.provider import (
    JWKSServer,
    SigningKey,
    assert_invalid_token,
    bearer,
    ed25519_key,
    jwks_server,
    mint,
)


class TestProviderUnreachable:
    async def test_cached_key_keeps_working_while_the_jwks_fails(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        key = ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [key], jwks_refetch_cooldown=0
        ) as provider:
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200
            provider.server.failing = True
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200
            # An unknown kid makes a refetch, which fails; the cached keys are kept.
            assert_invalid_token(
                await provider.client.get("/notes", headers=bearer(mint(ed25519_key())))
            )
            assert provider.server.requests == 2
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200

    @pytest.mark.parametrize(
        "body", [b"not json", b"[]", b'{"keys": "nope"}', b'{"keys": [{"kty": "nope"}]}']
    )
    async def test_cached_key_keeps_working_when_the_jwks_is_garbage(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory, body: bytes
    ) -> None:
        key = ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [key], jwks_refetch_cooldown=0
        ) as provider:
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200
            provider.server.body = body
            assert_invalid_token(
                await provider.client.get("/notes", headers=bearer(mint(ed25519_key())))
            )
            assert provider.server.requests == 2
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200

    async def test_cached_key_keeps_working_when_the_server_is_gone(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        key = ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [key], jwks_refetch_cooldown=0
        ) as provider:
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200
            provider.server.stop()
            assert_invalid_token(
                await provider.client.get("/notes", headers=bearer(mint(ed25519_key())))
            )
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200

    async def test_unreachable_from_the_start_is_401_until_it_answers(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        key = ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [key], jwks_refetch_cooldown=0
        ) as provider:
            provider.server.failing = True
            assert_invalid_token(await provider.client.get("/notes", headers=bearer(mint(key))))
            provider.server.failing = False
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200


class TestKeyLocationHeaders:
    """`jku`, `x5u` (and an embedded `jwk`) name keys elsewhere: they are never used."""

    @pytest.fixture
    def attacker(self) -> Iterator[tuple[JWKSServer, SigningKey]]:
        key = ed25519_key()
        with jwks_server([key]) as server:
            yield server, key

    async def test_keys_named_by_the_token_are_never_fetched_nor_trusted(
        self,
        external: httpx.AsyncClient,
        provider: Provider,
        attacker: tuple[JWKSServer, SigningKey],
    ) -> None:
        server, key = attacker
        forged = [
            mint(key, header={"jku": server.url}),
            mint(key, header={"jku": server.url, "kid": provider.ed.kid}),
            mint(key, header={"x5u": f"{server.url}/cert.pem"}),
            mint(key, header={"x5u": f"{server.url}/cert.pem", "kid": provider.ed.kid}),
            mint(key, header={"jwk": key.jwk}),
            mint(key, header={"jwk": key.jwk, "kid": provider.ed.kid}),
        ]
        for token in forged:
            assert_invalid_token(await external.get("/notes", headers=bearer(token)))
        assert server.requests == 0

    async def test_a_genuine_token_naming_another_server_still_works(
        self,
        external: httpx.AsyncClient,
        provider: Provider,
        attacker: tuple[JWKSServer, SigningKey],
    ) -> None:
        server, _ = attacker
        token = mint(provider.ed, header={"jku": server.url, "x5u": f"{server.url}/cert.pem"})
        response = await external.get("/notes", headers=bearer(token))
        assert response.status_code == 200, response.text
        assert server.requests == 0
