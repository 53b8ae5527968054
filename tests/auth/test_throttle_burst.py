"""A burst of wrong passwords for one email, sent at once to a real deployment of two
worker processes: only as many password checks as the limit allows, on each store."""

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.test_throttle_reservations import pair_key
from tests.auth.throttling import (
    REDIS_URL,
    WRONG,
    Names,
    assert_rate_limited,
    failures_counted,
    redis,
    redis_key,
)
from tests.factories import PASSWORD
from tests.running_servers import shared_server
from tests.servers import HOST, Servers, errors_in

pytestmark = pytest.mark.slow

BURST = 50


async def burst(url: str, email: str, headers: dict[str, str] | None = None) -> Counter[int]:
    """Register `email`, then send BURST wrong logins for it at once; the statuses."""
    limits = httpx.Limits(max_connections=BURST, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        registered = await http.post("/auth/register", json={"email": email, "password": PASSWORD})
        assert registered.status_code == 201, registered.text
        form = {"username": email, "password": WRONG}
        responses = await asyncio.gather(
            *(http.post("/auth/token", data=form, headers=headers) for _ in range(BURST))
        )
    for response in responses:
        if response.status_code == 429:
            assert_rate_limited(response)
    return Counter(response.status_code for response in responses)


class TestBurstOfWrongPasswords:
    async def test_database_store_checks_five(
        self, request: pytest.FixtureRequest, database_url: str, app: FastAPI, names: Names
    ) -> None:
        server = await shared_server(request, database_url)
        email = names.email()
        assert await burst(server.url, email) == {401: 5, 429: BURST - 5}
        assert await failures_counted(app, pair_key(email, HOST)) == 5
        assert errors_in(server.server.output) == [], server.server.output

    async def test_redis_store_checks_five(self, tmp_path: Path, names: Names) -> None:
        servers = Servers(tmp_path)
        try:
            # Redis outlives the test: the client address comes from X-Forwarded-For,
            # so that every key it leaves names something of its own, to be deleted.
            server = await servers.start(
                database_url=f"sqlite:///{tmp_path / 'burst.db'}",
                data_dir=tmp_path / "data",
                workers=2,
                redis_url=REDIS_URL,
                trusted_proxies=HOST,
            )
            email, address = names.email(), names.address()
            statuses = await burst(server.url, email, {"X-Forwarded-For": address})
            assert statuses == {401: 5, 429: BURST - 5}
            async with redis() as client:
                assert await client.zcard(redis_key(pair_key(email, address))) == 5
            assert errors_in(server.output) == [], server.output
        finally:
            servers.stop_all()
