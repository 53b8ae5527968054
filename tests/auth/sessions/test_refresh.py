"""POST /auth/refresh (API.md §2): rotation, and every token it refuses."""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from teamnotes.auth.models import RefreshToken
from teamnotes.auth.tokens import TokenIssuer
from teamnotes.kit.ids import new_id
from tests.auth.sessions.support import (
    assert_invalid_token,
    claims,
    login,
    refresh,
    refreshed,
    token_hash,
)


async def backdate(app: FastAPI, token: str, **columns: datetime) -> None:
    """Move a stored token's timestamps into the past, as if time had passed."""
    async with app.state.database.writer.begin() as connection:
        await connection.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == token_hash(token))
            .values(**columns)
        )


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
