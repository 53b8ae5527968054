"""Logging in, refreshing and looking at stored refresh tokens, for the sessions tests."""

import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import jwt
from fastapi import FastAPI
from sqlalchemy import select

from teamnotes.auth.models import RefreshToken
from tests.factories import PASSWORD

PAIR_FIELDS = {"access_token", "token_type", "expires_in", "refresh_token"}


@asynccontextmanager
async def client_of(application: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    transport = httpx.ASGITransport(app=application, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


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


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def stored_token(app: FastAPI, token: str) -> Any:
    async with app.state.database.reader.connect() as connection:
        statement = select(RefreshToken).where(RefreshToken.token_hash == token_hash(token))
        return (await connection.execute(statement)).one()
