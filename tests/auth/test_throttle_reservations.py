"""Each password check reserves its failure first (API.md §2's limits hold for attempts
sent at the same moment) and a check that succeeds gives its reservation back."""

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import insert

from teamnotes.auth.models import LoginFailure
from teamnotes.auth.throttle import lock_keys, throttle_keys
from teamnotes.kit.db import utcnow
from tests.auth.throttling import (
    REDIS_URL,
    WRONG,
    Instances,
    Names,
    add_redis_failures,
    assert_invalid_credentials,
    assert_rate_limited,
    attempt,
    client_of,
    fail,
    failures_counted,
    redis,
    redis_key,
    register,
)
from tests.conftest import running_app
from tests.factories import PASSWORD


def pair_key(email: str, address: str) -> str:
    """The key of one email from one address (5 failures allowed)."""
    return throttle_keys(email, address)[0].name


class TestReservations:
    """On each store, with two instances of the app sharing it."""

    async def test_a_right_password_after_four_failures_logs_in_and_uses_no_slot(
        self, instances: Instances, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await register(instances.one, email)
        await fail(instances.one, address, email, 4)
        response = await attempt(instances.two, address, email, PASSWORD)
        assert response.status_code == 200, response.text
        assert await failures_counted(instances.one, pair_key(email, address)) == 4
        # The fifth failure is still allowed; after it, nothing is.
        assert_invalid_credentials(await attempt(instances.two, address, email))
        assert_rate_limited(await attempt(instances.one, address, email, PASSWORD))

    async def test_a_right_current_password_uses_no_slot(
        self, instances: Instances, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await register(instances.one, email)
        login = await attempt(instances.one, address, email, PASSWORD)
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        await fail(instances.two, address, email, 4)
        change = {"password": "a new password entirely", "current_password": PASSWORD}
        async with client_of(instances.one, address) as http:
            response = await http.patch("/auth/me", json=change, headers=headers)
        assert response.status_code == 200, response.text
        assert await failures_counted(instances.one, pair_key(email, address)) == 4
        assert_invalid_credentials(await attempt(instances.two, address, email))
        assert_rate_limited(await attempt(instances.one, address, email, change["password"]))

    async def test_attempts_at_the_same_moment_get_five_password_checks(
        self, instances: Instances, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await register(instances.one, email)
        responses = await asyncio.gather(
            *(attempt(app, address, email) for app in (instances.one, instances.two) * 6)
        )
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [401] * 5 + [429] * 7
        for response in responses:
            if response.status_code == 429:
                assert_rate_limited(response)
        assert await failures_counted(instances.one, pair_key(email, address)) == 5

    async def test_a_refused_attempt_counts_nothing(
        self, instances: Instances, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await fail(instances.one, address, email, 5)
        for _ in range(3):
            assert_rate_limited(await attempt(instances.two, address, email))
        for key in throttle_keys(email, address):
            assert await failures_counted(instances.one, key.name) == 5


class TestDatabaseReservation:
    async def test_an_attempt_that_waited_for_the_lock_is_told_to_retry_within_the_window(
        self, app: FastAPI, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        keys = [key.name for key in throttle_keys(email, address)]
        async with app.state.database.write_session() as holder, holder.begin():
            connection = await holder.connection()
            await lock_keys(connection, keys)
            waiting = asyncio.create_task(attempt(app, address, email))
            await asyncio.sleep(0.2)  # long enough for the attempt to wait on the lock
            now = utcnow()
            rows = [{"key": key, "failed_at": now} for key in keys for _ in range(5)]
            await connection.execute(insert(LoginFailure), rows)
        # Five failures newer than the attempt's arrival: their window is what is left.
        assert_rate_limited(await waiting)


# --- The Redis store's window ---------------------------------------------------------


@pytest.fixture(scope="module")
async def redis_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    async with running_app(database_url, tmp_path_factory, redis_url=REDIS_URL) as application:
        yield application


class TestRedisWindow:
    async def test_failures_older_than_15_minutes_do_not_count_and_are_dropped(
        self, redis_app: FastAPI, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        key = pair_key(email, address)
        await add_redis_failures(key, timedelta(minutes=15, seconds=30), 5)
        assert_invalid_credentials(await attempt(redis_app, address, email))
        assert await failures_counted(redis_app, key) == 1

    async def test_retry_after_is_when_the_oldest_failure_leaves_the_window(
        self, redis_app: FastAPI, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await add_redis_failures(pair_key(email, address), timedelta(minutes=14), 5)
        retry_after = assert_rate_limited(await attempt(redis_app, address, email, WRONG))
        assert 50 <= retry_after <= 60

    async def test_every_key_expires_with_the_window(
        self, redis_app: FastAPI, names: Names
    ) -> None:
        email, address = names.email(), names.address()
        await fail(redis_app, address, email, 1)
        async with redis() as client:
            for key in throttle_keys(email, address):
                expiry = timedelta(milliseconds=await client.pttl(redis_key(key.name)))
                assert timedelta(minutes=14) < expiry <= timedelta(minutes=15)
