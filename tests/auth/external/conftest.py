"""One provider with all three key types and an API that trusts it, per test module."""

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.external.apps import Provider, client_of, relying_app
from tests.auth.external.provider import ed25519_key, jwks_server, p256_key, rsa_key


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    keys = [ed25519_key(), p256_key(), rsa_key()]
    with jwks_server(keys) as server:
        yield Provider(server, *keys)


@pytest.fixture(scope="module")
async def provider_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, provider: Provider
) -> AsyncIterator[FastAPI]:
    # No refetch cooldown: every unknown kid is looked up again at the provider.
    async with relying_app(
        database_url, tmp_path_factory, provider.server.url, jwks_refetch_cooldown=0
    ) as application:
        yield application


@pytest.fixture
async def external(provider_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(provider_app) as http:
        yield http
