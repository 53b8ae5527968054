"""Login throttling (API.md §2): failed password checks counted per email and client
address, per address, and per email, shared by every instance of a deployment, in
the database or in Redis. (Client addresses: test_throttle_addresses; what a check
costs and when it is released: test_throttle_checks; bursts: test_throttle_burst.)"""

import asyncio
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import func, insert, select

from teamnotes.auth.models import LoginFailure
from teamnotes.auth.throttle import throttle_keys
from tests.auth.throttling import (
    WRONG,
    Instances,
    Names,
    assert_invalid_credentials,
    assert_rate_limited,
    attempt,
    client_of,
    fail,
    register,
)
from tests.factories import PASSWORD


async def prefill(app: FastAPI, email: str, address: str, limit: int, times: int) -> None:
    """Count `times` failures against one of the keys (chosen by its limit) through the
    app's own store, as if they had come from elsewhere earlier: reservations never
    released are failures."""
    keys = [key for key in throttle_keys(email, address) if key.limit == limit]
    for _ in range(times):
        await app.state.login_failures.reserve(keys)


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
