"""What a throttled password check costs: the same hash work for an unknown email and
a wrong password, none when rate limited, a reservation released when it succeeds,
and never two pooled connections at once."""

import asyncio

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from teamnotes.auth import service
from teamnotes.auth.models import User as UserRow
from teamnotes.auth.passwords import dummy_hash
from tests.auth.throttling import (
    Names,
    assert_invalid_credentials,
    assert_rate_limited,
    attempt,
    fail,
    register,
)
from tests.conftest import running_app
from tests.factories import PASSWORD, without_request_id


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
