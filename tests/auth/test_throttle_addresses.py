"""Which client address login throttling counts: the socket peer, or the nearest
untrusted `X-Forwarded-For` hop behind a trusted proxy."""

import secrets
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from teamnotes.auth.models import LoginFailure
from tests.auth.throttling import (
    Names,
    assert_invalid_credentials,
    assert_rate_limited,
    attempt,
    fail,
    register,
)
from tests.conftest import running_app
from tests.factories import PASSWORD


@pytest.fixture(scope="module")
async def proxied_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    async with running_app(
        database_url, tmp_path_factory, trusted_proxies=["10.0.0.0/8"]
    ) as application:
        yield application


def proxy_address() -> str:
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


async def keys_naming(app: FastAPI, address: str) -> int:
    async with app.state.database.reader.connect() as connection:
        statement = select(func.count()).where(LoginFailure.key.contains(f"address:{address}"))
        return int((await connection.execute(statement)).scalar_one())


class TestClientAddress:
    async def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(
        self, proxied_app: FastAPI, names: Names
    ) -> None:
        email, client, other_client, proxy = (
            names.email(),
            names.address(),
            names.address(),
            proxy_address(),
        )
        await register(proxied_app, email)
        await fail(proxied_app, proxy, email, 5, forwarded_for=client)
        assert_rate_limited(
            await attempt(proxied_app, proxy, email, PASSWORD, forwarded_for=client)
        )
        # Another client behind the same proxy is not blocked.
        response = await attempt(proxied_app, proxy, email, PASSWORD, forwarded_for=other_client)
        assert response.status_code == 200, response.text
        assert await keys_naming(proxied_app, client) > 0
        assert await keys_naming(proxied_app, proxy) == 0

    @pytest.mark.parametrize(
        "chain",
        [
            pytest.param("{spoofed}, {client}", id="hop-prepended-by-the-client"),
            pytest.param("{client}, 10.0.0.5", id="through-two-trusted-proxies"),
            pytest.param("{spoofed},{client} , 10.20.30.40", id="both"),
        ],
    )
    async def test_the_nearest_untrusted_hop_is_the_client(
        self, proxied_app: FastAPI, names: Names, chain: str
    ) -> None:
        email, client, proxy = names.email(), names.address(), proxy_address()
        await fail(proxied_app, proxy, email, 5, forwarded_for=client)
        forwarded = chain.format(spoofed=names.address(), client=client)
        assert_rate_limited(await attempt(proxied_app, proxy, email, forwarded_for=forwarded))

    async def test_forwarded_for_from_an_untrusted_peer_is_ignored(
        self, proxied_app: FastAPI, names: Names
    ) -> None:
        email, peer = names.email(), names.address()
        for _ in range(5):
            response = await attempt(proxied_app, peer, email, forwarded_for=names.address())
            assert_invalid_credentials(response)
        assert_rate_limited(await attempt(proxied_app, peer, email, forwarded_for=names.address()))
        assert await keys_naming(proxied_app, peer) == 5

    async def test_forwarded_for_is_ignored_without_trusted_proxies(
        self, app: FastAPI, names: Names
    ) -> None:
        email, peer = names.email(), proxy_address()
        for _ in range(5):
            response = await attempt(app, peer, email, forwarded_for=names.address())
            assert_invalid_credentials(response)
        assert_rate_limited(await attempt(app, peer, email, forwarded_for=names.address()))
