"""What the login-throttling tests share: names of their own, apps, attempts, checks."""

import ipaddress
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import coredis
import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from teamnotes.auth.models import LoginFailure
from tests.factories import PASSWORD, unique_email

REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS_PREFIX = "teamnotes:login"
WRONG = "not the password"


class Names:
    """Fresh emails and client addresses for one test."""

    def __init__(self) -> None:
        self.used: list[str] = []

    def email(self) -> str:
        email = unique_email()
        self.used.append(email)
        return email

    def address(self) -> str:
        # A random address in 2001:db8::/32 (documentation): unique, so a Redis key
        # pattern can find every key that names it.
        address = str(ipaddress.IPv6Address((0x20010DB8 << 96) | secrets.randbits(64)))
        self.used.append(address)
        return address


@asynccontextmanager
async def redis() -> AsyncIterator["coredis.Redis[str]"]:
    client = coredis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        yield client
    finally:
        client.connection_pool.disconnect()


def redis_key(key: str) -> str:
    """Where the Redis store keeps one throttling key's failures (a sorted set)."""
    return f"{REDIS_PREFIX}:{key}"


async def delete_redis_keys(names: list[str]) -> None:
    """Delete every throttling key in Redis that names one of these."""
    async with redis() as client:
        for name in names:
            keys = [key async for key in client.scan_iter(match=f"{REDIS_PREFIX}*{name}*")]
            if keys:
                await client.delete(keys)


async def add_redis_failures(key: str, ago: timedelta, times: int) -> None:
    """`times` failures against one throttling key in Redis, each `ago` in the past (by
    this machine's clock, which is the loopback Redis server's)."""
    score = (time.time() - ago.total_seconds()) * 1000
    async with redis() as client:
        await client.zadd(redis_key(key), {secrets.token_hex(8): score for _ in range(times)})


@dataclass(frozen=True)
class Instances:
    """Two instances of one deployment: two apps on the same database (and Redis)."""

    store: str
    one: FastAPI
    two: FastAPI


@asynccontextmanager
async def client_of(app: FastAPI, address: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(address, 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def attempt(
    app: FastAPI,
    address: str,
    email: str,
    password: str = WRONG,
    *,
    forwarded_for: str | None = None,
) -> httpx.Response:
    """One login from `address` (the socket's peer)."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    async with client_of(app, address) as http:
        form = {"username": email, "password": password}
        return await http.post("/auth/token", data=form, headers=headers)


async def fail(app: FastAPI, address: str, email: str, times: int, **kwargs: Any) -> None:
    for _ in range(times):
        response = await attempt(app, address, email, **kwargs)
        assert_invalid_credentials(response)


async def register(app: FastAPI, email: str) -> None:
    async with client_of(app, "192.0.2.1") as http:
        response = await http.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text


def assert_invalid_credentials(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error_code"] == "invalid_credentials"


def assert_rate_limited(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["error_code"] == "rate_limited"
    assert body["request_id"] == response.headers["X-Request-ID"]
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit(), retry_after
    assert 0 < int(retry_after) <= 15 * 60
    return int(retry_after)


async def failures_counted(app: FastAPI, key: str) -> int:
    """How many failures one throttling key holds (reservations not released included),
    in the app's own store; expired ones too, in the database."""
    if app.state.settings.redis_url:
        async with redis() as client:
            return await client.zcard(redis_key(key))
    async with app.state.database.reader.connect() as connection:
        statement = select(func.count()).where(LoginFailure.key == key)
        return int((await connection.execute(statement)).scalar_one())
