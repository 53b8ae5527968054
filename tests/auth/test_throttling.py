"""Login throttling (API.md §2): failed password checks counted per email and client
address, per address, and per email, shared by every instance of a deployment, in
the database or in Redis; and the same password-hash work for every failed login."""

import asyncio
import ipaddress
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import coredis
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select

from teamnotes.app import create_app
from teamnotes.auth import service
from teamnotes.auth.models import LoginFailure
from teamnotes.auth.models import User as UserRow
from teamnotes.auth.passwords import dummy_hash
from teamnotes.auth.throttle import throttle_keys
from tests.conftest import make_settings
from tests.factories import PASSWORD, unique_email, without_request_id

REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS_PREFIX = "teamnotes:login"
WRONG = "not the password"
STORES = ["database", "redis"]


# --- Names a test owns, so that no count carries over (and Redis is left clean) -------


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


async def delete_redis_keys(names: list[str]) -> None:
    client = coredis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        for name in names:
            keys = [key async for key in client.scan_iter(match=f"{REDIS_PREFIX}*{name}*")]
            if keys:
                await client.delete(keys)
    finally:
        client.connection_pool.disconnect()


@pytest.fixture
async def names() -> AsyncIterator[Names]:
    owned = Names()
    yield owned
    await delete_redis_keys(owned.used)


# --- Apps and requests ----------------------------------------------------------------


@asynccontextmanager
async def running_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, **overrides: object
) -> AsyncIterator[FastAPI]:
    application = create_app(
        make_settings(database_url, tmp_path_factory.mktemp("data"), **overrides)
    )
    async with application.router.lifespan_context(application):
        yield application


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


@dataclass(frozen=True)
class Instances:
    """Two instances of one deployment: two apps on the same database (and Redis)."""

    store: str
    one: FastAPI
    two: FastAPI


@pytest.fixture(scope="module", params=STORES)
async def instances(
    request: pytest.FixtureRequest, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Instances]:
    overrides = {"redis_url": REDIS_URL} if request.param == "redis" else {}
    async with (
        running_app(database_url, tmp_path_factory, **overrides) as one,
        running_app(database_url, tmp_path_factory, **overrides) as two,
    ):
        yield Instances(request.param, one, two)


async def prefill(app: FastAPI, email: str, address: str, limit: int, times: int) -> None:
    """Count `times` failures against one of the keys (chosen by its limit) through the
    app's own store, as if they had come from elsewhere earlier."""
    keys = [key for key in throttle_keys(email, address) if key.limit == limit]
    store = app.state.login_failures
    async with app.state.database.write_session() as session, session.begin():
        for _ in range(times):
            await store.record(session, keys)


class TestLoginThrottling:
    """On each store, with two instances of the app sharing it."""

    async def test_sixth_attempt_for_one_email_from_one_address_is_429_even_if_right(
        self, instances: Instances, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await register(instances.one, email)
        await fail(instances.one, address, email, 5)
        assert_rate_limited(await attempt(instances.one, address, email, PASSWORD))
        assert_rate_limited(await attempt(instances.one, address, email, WRONG))

    async def test_an_unregistered_email_is_limited_alike(
        self, instances: Instances, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await fail(instances.one, address, email, 5)
        assert_rate_limited(await attempt(instances.one, address, email))

    async def test_two_instances_share_the_count(self, instances: Instances, names: Names) -> None:
        email, address = names.email(), names.address()
        await register(instances.one, email)
        await fail(instances.one, address, email, 3)
        await fail(instances.two, address, email, 2)
        assert_rate_limited(await attempt(instances.one, address, email, PASSWORD))
        assert_rate_limited(await attempt(instances.two, address, email, PASSWORD))

    async def test_another_address_for_the_same_email_still_gets_401(
        self, instances: Instances, names: Names
    ) -> None:
        email, address, elsewhere = names.email(), names.address(), names.address()
        await register(instances.one, email)
        await fail(instances.one, address, email, 5)
        assert_rate_limited(await attempt(instances.two, address, email, PASSWORD))
        assert_invalid_credentials(await attempt(instances.two, elsewhere, email))
        response = await attempt(instances.two, elsewhere, email, PASSWORD)
        assert response.status_code == 200, response.text

    async def test_another_email_from_the_same_address_still_gets_401(
        self, instances: Instances, names: Names
    ) -> None:
        address = names.address()
        await fail(instances.one, address, names.email(), 5)
        assert_invalid_credentials(await attempt(instances.two, address, names.email()))

    async def test_twenty_failures_from_one_address_block_that_address(
        self, instances: Instances, names: Names
    ) -> None:
        address = names.address()
        await prefill(instances.one, names.email(), address, limit=20, times=15)
        # Failures 16 to 20, each for another email, at once on both instances.
        emails = [names.email() for _ in range(5)]
        responses = await asyncio.gather(
            *[attempt(instances.one, address, email) for email in emails[:3]],
            *[attempt(instances.two, address, email) for email in emails[3:]],
        )
        for response in responses:
            assert_invalid_credentials(response)
        fresh = names.email()
        assert_rate_limited(await attempt(instances.one, address, fresh))
        assert_rate_limited(await attempt(instances.two, address, emails[0]))
        # Those emails are not blocked from elsewhere.
        assert_invalid_credentials(await attempt(instances.one, names.address(), fresh))

    async def test_fifty_failures_for_one_email_block_it_from_every_address(
        self, instances: Instances, names: Names
    ) -> None:
        email = names.email()
        await register(instances.one, email)
        await prefill(instances.one, email, names.address(), limit=50, times=48)
        # The 49th and 50th failures, from two new addresses, are still just wrong...
        assert_invalid_credentials(await attempt(instances.one, names.address(), email))
        assert_invalid_credentials(await attempt(instances.two, names.address(), email))
        # ... and after them, every address is turned away, the right password too.
        assert_rate_limited(await attempt(instances.one, names.address(), email, PASSWORD))
        assert_rate_limited(await attempt(instances.two, names.address(), email, PASSWORD))

    async def test_only_failed_password_checks_count(
        self, instances: Instances, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await register(instances.one, email)
        async with client_of(instances.one, address) as http:
            for _ in range(25):
                bearer = {"Authorization": "Bearer not-a-token"}
                assert (await http.get("/notes", headers=bearer)).status_code == 401
                refresh = await http.post("/auth/refresh", json={"refresh_token": "nope"})
                assert refresh.status_code == 401
        for _ in range(2):
            response = await attempt(instances.one, address, email, PASSWORD)
            assert response.status_code == 200, response.text
        # None of that counted: five failures are still allowed, and the sixth is not.
        await fail(instances.one, address, email, 5)
        assert_rate_limited(await attempt(instances.one, address, email, PASSWORD))

    async def test_a_wrong_current_password_counts_as_a_failure(
        self, instances: Instances, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await register(instances.one, email)
        login = await attempt(instances.one, address, email, PASSWORD)
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        change = {"password": "a new password entirely", "current_password": WRONG}
        async with client_of(instances.one, address) as http:
            for _ in range(5):
                response = await http.patch("/auth/me", json=change, headers=headers)
                assert response.status_code == 403, response.text
                assert response.json()["error_code"] == "invalid_credentials"
            assert_rate_limited(await http.patch("/auth/me", json=change, headers=headers))
        assert_rate_limited(await attempt(instances.two, address, email, PASSWORD))


# --- The database store's window ------------------------------------------------------


async def insert_failures(app: FastAPI, email: str, address: str, ago: timedelta) -> None:
    """Five failures for this email and address, each `ago` in the past."""
    failed_at = datetime.now(UTC) - ago
    rows = [{"key": key.name, "failed_at": failed_at} for key in throttle_keys(email, address)]
    async with app.state.database.writer.begin() as connection:
        for _ in range(5):
            await connection.execute(insert(LoginFailure), rows)


class TestDatabaseWindow:
    async def test_failures_older_than_15_minutes_do_not_count(
        self, app: FastAPI, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await insert_failures(app, email, address, timedelta(minutes=15, seconds=30))
        assert_invalid_credentials(await attempt(app, address, email))

    async def test_retry_after_is_when_the_oldest_failure_leaves_the_window(
        self, app: FastAPI, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await insert_failures(app, email, address, timedelta(minutes=14))
        retry_after = assert_rate_limited(await attempt(app, address, email))
        assert 50 <= retry_after <= 60

    async def test_failures_are_kept_for_the_email_and_the_address(
        self, app: FastAPI, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await fail(app, address, email, 2)
        async with app.state.database.reader.connect() as connection:
            for part in (email, address):
                statement = select(func.count()).where(LoginFailure.key.contains(part))
                assert (await connection.execute(statement)).scalar_one() >= 2


# --- Which address is counted ---------------------------------------------------------


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


# --- The same work for an unknown email and a wrong password --------------------------


@pytest.fixture
def verified_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every hash the login verifies a password against, in order."""
    seen: list[str] = []
    real = service.verify_password

    async def spy(password_hash: str, password: str) -> bool:
        seen.append(password_hash)
        return await real(password_hash, password)

    monkeypatch.setattr(service, "verify_password", spy)
    return seen


class TestFailedLoginsLookAlike:
    async def test_unknown_email_verifies_the_dummy_hash(
        self, app: FastAPI, names: Names, verified_hashes: list[str]
    ) -> None:
        assert_invalid_credentials(await attempt(app, names.address(), names.email()))
        assert verified_hashes == [dummy_hash()]

    async def test_wrong_password_verifies_the_accounts_hash(
        self, app: FastAPI, names: Names, verified_hashes: list[str]
    ) -> None:
        email = names.email()
        await register(app, email)
        assert_invalid_credentials(await attempt(app, names.address(), email))
        async with app.state.database.reader.connect() as connection:
            statement = select(UserRow.password_hash).where(UserRow.email == email)
            stored = (await connection.execute(statement)).scalar_one()
        assert verified_hashes == [stored]
        assert stored.startswith("$argon2id$")
        assert stored != dummy_hash()

    async def test_both_answer_alike(self, app: FastAPI, names: Names) -> None:
        email = names.email()
        await register(app, email)
        wrong_password = await attempt(app, names.address(), email)
        unknown_email = await attempt(app, names.address(), names.email())
        for response in (wrong_password, unknown_email):
            assert_invalid_credentials(response)
            assert response.headers["WWW-Authenticate"] == "Bearer"
        assert without_request_id(wrong_password.json()) == without_request_id(unknown_email.json())

    @pytest.mark.parametrize("registered", [True, False])
    async def test_a_rate_limited_attempt_verifies_nothing(
        self, app: FastAPI, names: Names, verified_hashes: list[str], registered: bool
    ) -> None:
        email, address = names.email(), names.address()
        if registered:
            await register(app, email)
        await fail(app, address, email, 5)
        verified_hashes.clear()
        assert_rate_limited(await attempt(app, address, email, PASSWORD))
        assert verified_hashes == []


# --- Logins beyond the connection pool ------------------------------------------------


class TestConcurrentLogins:
    async def test_more_logins_than_connections_all_answer(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory, names: Names
    ) -> None:
        # A request must never hold one pooled connection while it waits for another:
        # with a pool of one (plus one overflow), six logins at once would wait forever.
        async with running_app(database_url, tmp_path_factory, db_pool_size=1) as application:
            email = names.email()
            await register(application, email)
            logins = [attempt(application, names.address(), email, PASSWORD) for _ in range(3)]
            failures = [attempt(application, names.address(), names.email()) for _ in range(3)]
            responses = await asyncio.wait_for(asyncio.gather(*logins, *failures), timeout=20)
        assert [response.status_code for response in responses] == [200] * 3 + [401] * 3
