"""Logins that last (API.md §2): refresh rotation, reuse detection, logout, and the
local account routes turned off with TEAMNOTES_LOCAL_AUTH=false."""

import asyncio
import hashlib
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from teamnotes.auth.models import RefreshToken
from teamnotes.auth.tokens import TokenIssuer
from teamnotes.kit.ids import new_id
from tests.conftest import running_app
from tests.factories import PASSWORD, unique_email

PAIR_FIELDS = {"access_token", "token_type", "expires_in", "refresh_token"}


@asynccontextmanager
async def client_of(application: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    transport = httpx.ASGITransport(app=application, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture(scope="module")
async def strict_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    """No grace window: a rotated refresh token presented again is always reuse."""
    async with running_app(database_url, tmp_path_factory, refresh_reuse_grace=0) as application:
        yield application


@pytest.fixture(scope="module")
async def tabs_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    """A 10-second grace window (the default, set explicitly)."""
    async with running_app(database_url, tmp_path_factory, refresh_reuse_grace=10) as application:
        yield application


@pytest.fixture
async def strict(strict_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(strict_app) as http:
        yield http


@pytest.fixture
async def tabs(tabs_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(tabs_app) as http:
        yield http


@pytest.fixture
async def email(client: httpx.AsyncClient) -> str:
    """A registered account's email; its password is PASSWORD."""
    address = unique_email()
    response = await client.post("/auth/register", json={"email": address, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return address


async def login(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    response = await client.post("/auth/token", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/auth/refresh", json={"refresh_token": token})


async def refreshed(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await refresh(client, token)
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    assert set(pair) == PAIR_FIELDS
    return pair


def assert_invalid_token(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error_code"] == "invalid_token"
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert response.headers["WWW-Authenticate"] == "Bearer"


def assert_forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["error_code"] == "forbidden"
    assert body["request_id"] == response.headers["X-Request-ID"]


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def stored_token(app: FastAPI, token: str) -> Any:
    async with app.state.database.reader.connect() as connection:
        statement = select(RefreshToken).where(RefreshToken.token_hash == token_hash(token))
        return (await connection.execute(statement)).one()


async def backdate(app: FastAPI, token: str, **columns: datetime) -> None:
    """Move a stored token's timestamps into the past, as if time had passed."""
    async with app.state.database.writer.begin() as connection:
        await connection.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == token_hash(token))
            .values(**columns)
        )


class TestLogin:
    async def test_returns_a_refresh_token_with_the_access_token(
        self, client: httpx.AsyncClient, email: str
    ) -> None:
        response = await client.post("/auth/token", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        pair = response.json()
        assert set(pair) == PAIR_FIELDS
        assert pair["token_type"] == "bearer"
        assert pair["expires_in"] == 15 * 60
        assert pair["refresh_token"] != pair["access_token"]
        assert response.headers["Cache-Control"] == "no-store"

    async def test_each_login_is_a_login_of_its_own(
        self, client: httpx.AsyncClient, email: str
    ) -> None:
        first, second = await login(client, email), await login(client, email)
        assert claims(first["access_token"])["sid"] != claims(second["access_token"])["sid"]
        assert claims(first["access_token"])["sid"] == claims(first["refresh_token"])["sid"]


class TestRefresh:
    async def test_returns_a_new_pair_of_the_same_login(
        self, client: httpx.AsyncClient, email: str
    ) -> None:
        first = await login(client, email)
        pair = await refreshed(client, first["refresh_token"])
        assert pair["token_type"] == "bearer"
        assert pair["expires_in"] == 15 * 60
        assert pair["refresh_token"] != first["refresh_token"]
        assert pair["access_token"] != first["access_token"]
        assert claims(pair["access_token"])["sid"] == claims(first["access_token"])["sid"]
        me = await client.get(
            "/auth/me", headers={"Authorization": f"Bearer {pair['access_token']}"}
        )
        assert me.status_code == 200, me.text
        assert me.json()["email"] == email

    async def test_each_new_refresh_token_works_in_turn(
        self, client: httpx.AsyncClient, email: str
    ) -> None:
        token = (await login(client, email))["refresh_token"]
        for _ in range(3):
            token = (await refreshed(client, token))["refresh_token"]

    async def test_old_token_fails_once_the_grace_window_has_passed(
        self, app: FastAPI, client: httpx.AsyncClient, email: str
    ) -> None:
        old = (await login(client, email))["refresh_token"]
        new = (await refreshed(client, old))["refresh_token"]
        await backdate(app, old, rotated_at=datetime.now(UTC) - timedelta(seconds=11))
        assert_invalid_token(await refresh(client, old))
        # That was reuse: the login is over, its newest token included.
        assert_invalid_token(await refresh(client, new))

    async def test_old_token_fails_without_a_grace_window(
        self, strict: httpx.AsyncClient, email: str
    ) -> None:
        old = (await login(strict, email))["refresh_token"]
        await refreshed(strict, old)
        assert_invalid_token(await refresh(strict, old))

    async def test_response_is_not_cacheable(self, client: httpx.AsyncClient, email: str) -> None:
        response = await refresh(client, (await login(client, email))["refresh_token"])
        assert response.status_code == 200, response.text
        assert response.headers["Cache-Control"] == "no-store"

    async def test_failure_is_not_cacheable(self, client: httpx.AsyncClient) -> None:
        response = await refresh(client, "garbage")
        assert_invalid_token(response)
        assert response.headers["Cache-Control"] == "no-store"

    @pytest.mark.parametrize(
        "token",
        [
            "garbage",
            "a.b.c",
            "eyJhbGciOiJIUzI1NiJ9.e30.",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
            "x" * 4096,
        ],
    )
    async def test_garbage_is_invalid_token(self, client: httpx.AsyncClient, token: str) -> None:
        assert_invalid_token(await refresh(client, token))

    async def test_expired_token_is_invalid_token(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        issuer: TokenIssuer = app.state.token_issuer
        past = datetime.now(UTC) - issuer.refresh_ttl - timedelta(minutes=5)
        token = issuer.refresh_token(str(new_id()), session_id=str(new_id()), now=past)
        assert_invalid_token(await refresh(client, token))

    async def test_token_past_its_stored_expiry_is_invalid_token(
        self, app: FastAPI, client: httpx.AsyncClient, email: str
    ) -> None:
        token = (await login(client, email))["refresh_token"]
        await backdate(app, token, expires_at=datetime.now(UTC) - timedelta(seconds=1))
        assert_invalid_token(await refresh(client, token))

    async def test_signed_token_of_no_login_is_invalid_token(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        issuer: TokenIssuer = app.state.token_issuer
        token = issuer.refresh_token(str(new_id()), session_id=str(new_id()))
        assert_invalid_token(await refresh(client, token))

    async def test_token_signed_with_another_secret_is_invalid_token(
        self, app: FastAPI, client: httpx.AsyncClient, email: str
    ) -> None:
        genuine = claims((await login(client, email))["refresh_token"])
        forged = jwt.encode(genuine, secrets.token_urlsafe(48), algorithm="HS256")
        assert_invalid_token(await refresh(client, forged))

    async def test_access_token_is_not_a_refresh_token(
        self, client: httpx.AsyncClient, email: str
    ) -> None:
        pair = await login(client, email)
        assert_invalid_token(await refresh(client, pair["access_token"]))
        # ... and the real refresh token was not spent by the attempt.
        await refreshed(client, pair["refresh_token"])

    @pytest.mark.parametrize("body", [{}, {"refresh_token": ""}, {"refresh_token": None}])
    async def test_missing_token_is_422(self, client: httpx.AsyncClient, body: Any) -> None:
        response = await client.post("/auth/refresh", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "refresh_token"

    async def test_unknown_field_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/auth/refresh", json={"refresh_token": "x", "grant_type": "refresh_token"}
        )
        assert response.status_code == 422, response.text


class TestRefreshTokenAsBearer:
    @pytest.mark.parametrize("path", ["/auth/me", "/notes", "/tasks"])
    async def test_refresh_token_is_not_an_access_token(
        self, client: httpx.AsyncClient, email: str, path: str
    ) -> None:
        pair = await login(client, email)
        response = await client.get(
            path, headers={"Authorization": f"Bearer {pair['refresh_token']}"}
        )
        assert_invalid_token(response)


class TestRefreshReuseDetection:
    async def test_rotated_token_presented_again_revokes_the_whole_login(
        self, strict: httpx.AsyncClient, email: str
    ) -> None:
        first = (await login(strict, email))["refresh_token"]
        second = (await refreshed(strict, first))["refresh_token"]
        newest = (await refreshed(strict, second))["refresh_token"]
        assert_invalid_token(await refresh(strict, first))
        assert_invalid_token(await refresh(strict, newest))
        assert_invalid_token(await refresh(strict, second))

    async def test_another_login_of_the_same_user_keeps_working(
        self, strict: httpx.AsyncClient, email: str
    ) -> None:
        stolen = (await login(strict, email))["refresh_token"]
        other = (await login(strict, email))["refresh_token"]
        await refreshed(strict, stolen)
        assert_invalid_token(await refresh(strict, stolen))
        other = (await refreshed(strict, other))["refresh_token"]
        await refreshed(strict, other)

    async def test_the_revocation_is_kept_in_the_database(
        self, strict_app: FastAPI, strict: httpx.AsyncClient, email: str
    ) -> None:
        first = await login(strict, email)
        other = await login(strict, email)
        second = await refreshed(strict, first["refresh_token"])
        assert_invalid_token(await refresh(strict, first["refresh_token"]))
        for token in (first["refresh_token"], second["refresh_token"]):
            assert (await stored_token(strict_app, token)).revoked_at is not None
        assert (await stored_token(strict_app, other["refresh_token"])).revoked_at is None


class TestRefreshGraceWindow:
    async def test_rotated_token_within_grace_yields_another_pair_of_the_same_login(
        self, tabs: httpx.AsyncClient, email: str
    ) -> None:
        first = await login(tabs, email)
        tab_one = await refreshed(tabs, first["refresh_token"])
        tab_two = await refreshed(tabs, first["refresh_token"])
        assert tab_one["refresh_token"] != tab_two["refresh_token"]
        sid = claims(first["access_token"])["sid"]
        assert claims(tab_one["access_token"])["sid"] == sid
        assert claims(tab_two["access_token"])["sid"] == sid
        # Both tabs stay logged in.
        await refreshed(tabs, tab_one["refresh_token"])
        await refreshed(tabs, tab_two["refresh_token"])

    async def test_concurrent_refresh_of_one_token_both_succeed(
        self, tabs: httpx.AsyncClient, email: str
    ) -> None:
        token = (await login(tabs, email))["refresh_token"]
        responses = await asyncio.gather(refresh(tabs, token), refresh(tabs, token))
        assert [response.status_code for response in responses] == [200, 200], [
            response.text for response in responses
        ]
        tokens = {response.json()["refresh_token"] for response in responses}
        assert len(tokens) == 2
        for new in tokens:
            await refreshed(tabs, new)

    async def test_grace_does_not_revive_a_revoked_login(
        self, tabs: httpx.AsyncClient, email: str
    ) -> None:
        first = (await login(tabs, email))["refresh_token"]
        second = (await refreshed(tabs, first))["refresh_token"]
        response = await tabs.post("/auth/logout", json={"refresh_token": second})
        assert response.status_code == 204
        assert_invalid_token(await refresh(tabs, first))


class TestLogout:
    async def test_returns_204_and_the_token_stops_working(
        self, client: httpx.AsyncClient, email: str
    ) -> None:
        token = (await login(client, email))["refresh_token"]
        response = await client.post("/auth/logout", json={"refresh_token": token})
        assert response.status_code == 204, response.text
        assert response.content == b""
        assert response.headers["Cache-Control"] == "no-store"
        assert_invalid_token(await refresh(client, token))

    async def test_ends_the_whole_login(self, client: httpx.AsyncClient, email: str) -> None:
        # Within the (default) grace window the rotated token would still yield a pair;
        # after logout no token of that login does.
        first = (await login(client, email))["refresh_token"]
        newest = (await refreshed(client, first))["refresh_token"]
        response = await client.post("/auth/logout", json={"refresh_token": newest})
        assert response.status_code == 204, response.text
        assert_invalid_token(await refresh(client, first))
        assert_invalid_token(await refresh(client, newest))

    async def test_other_logins_keep_working(self, client: httpx.AsyncClient, email: str) -> None:
        ended = (await login(client, email))["refresh_token"]
        kept = (await login(client, email))["refresh_token"]
        response = await client.post("/auth/logout", json={"refresh_token": ended})
        assert response.status_code == 204, response.text
        await refreshed(client, kept)

    async def test_twice_is_204(self, client: httpx.AsyncClient, email: str) -> None:
        token = (await login(client, email))["refresh_token"]
        for _ in range(2):
            response = await client.post("/auth/logout", json={"refresh_token": token})
            assert response.status_code == 204, response.text

    async def test_unknown_token_is_204(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        issuer: TokenIssuer = app.state.token_issuer
        signed = issuer.refresh_token(str(new_id()), session_id=str(new_id()))
        for token in ("garbage", signed):
            response = await client.post("/auth/logout", json={"refresh_token": token})
            assert response.status_code == 204, response.text
            assert response.headers["Cache-Control"] == "no-store"


class TestRefreshTokenStorage:
    async def test_only_sha256_hashes_are_stored(
        self, app: FastAPI, client: httpx.AsyncClient, email: str
    ) -> None:
        first = (await login(client, email))["refresh_token"]
        second = (await refreshed(client, first))["refresh_token"]
        row = await stored_token(app, second)
        async with app.state.database.reader.connect() as connection:
            rows = (
                await connection.execute(
                    select(RefreshToken).where(RefreshToken.user_id == row.user_id)
                )
            ).all()
        assert {stored.token_hash for stored in rows} == {token_hash(first), token_hash(second)}
        for stored in rows:
            assert re.fullmatch(r"[0-9a-f]{64}", stored.token_hash)
            for value in stored:
                assert first not in str(value)
                assert second not in str(value)


@pytest.fixture(scope="module")
async def provider_owned_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    async with running_app(database_url, tmp_path_factory, local_auth=False) as application:
        yield application


@pytest.fixture
async def provider_owned(provider_owned_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(provider_owned_app) as http:
        yield http


class TestLocalAuthTurnedOff:
    """The same database and secret as `app`, with TEAMNOTES_LOCAL_AUTH=false."""

    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("/auth/register", {"email": "someone@example.com", "password": PASSWORD}),
            ("/auth/token", {"email": "someone@example.com", "password": PASSWORD}),
            ("/auth/refresh", {"refresh_token": "anything"}),
            ("/auth/logout", {"refresh_token": "anything"}),
        ],
    )
    async def test_local_account_routes_are_403(
        self, provider_owned: httpx.AsyncClient, path: str, body: dict[str, str]
    ) -> None:
        assert_forbidden(await provider_owned.post(path, json=body))

    async def test_login_form_and_real_tokens_are_403_too(
        self, client: httpx.AsyncClient, provider_owned: httpx.AsyncClient, email: str
    ) -> None:
        pair = await login(client, email)
        assert_forbidden(
            await provider_owned.post("/auth/token", data={"username": email, "password": PASSWORD})
        )
        assert_forbidden(await refresh(provider_owned, pair["refresh_token"]))
        assert_forbidden(
            await provider_owned.post("/auth/logout", json={"refresh_token": pair["refresh_token"]})
        )
        # Nothing happened to the login.
        await refreshed(client, pair["refresh_token"])

    async def test_password_change_is_403(
        self, client: httpx.AsyncClient, provider_owned: httpx.AsyncClient, email: str
    ) -> None:
        headers = {"Authorization": f"Bearer {(await login(client, email))['access_token']}"}
        response = await provider_owned.patch(
            "/auth/me",
            json={"password": "a brand new password", "current_password": PASSWORD},
            headers=headers,
        )
        assert_forbidden(response)
        await login(client, email)  # the password is unchanged

    async def test_me_still_works(
        self, client: httpx.AsyncClient, provider_owned: httpx.AsyncClient, email: str
    ) -> None:
        headers = {"Authorization": f"Bearer {(await login(client, email))['access_token']}"}
        response = await provider_owned.get("/auth/me", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["email"] == email

    async def test_display_name_change_still_works(
        self, client: httpx.AsyncClient, provider_owned: httpx.AsyncClient, email: str
    ) -> None:
        headers = {"Authorization": f"Bearer {(await login(client, email))['access_token']}"}
        response = await provider_owned.patch(
            "/auth/me", json={"display_name": "Ada"}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["display_name"] == "Ada"
        me = await provider_owned.get("/auth/me", headers=headers)
        assert me.json()["display_name"] == "Ada"
