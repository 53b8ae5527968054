"""Small async helpers that make what a test needs through the public API."""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from fastapi import FastAPI

from teamnotes.auth.tokens import AUDIENCE, ISSUER
from teamnotes.kit.ids import new_id
from teamnotes.workspaces.service import create_personal

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class User:
    id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def unique_email() -> str:
    return f"user-{secrets.token_hex(6)}@example.com"


async def make_user(client: httpx.AsyncClient, *, email: str | None = None) -> User:
    email = email or unique_email()
    registered = await client.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    login = await client.post("/auth/token", data={"username": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return User(id=registered.json()["id"], email=email, token=login.json()["access_token"])


async def make_note(client: httpx.AsyncClient, user: User, **fields: Any) -> dict[str, Any]:
    body = {"title": "A note", "content": "Some *Markdown*", **fields}
    response = await client.post("/notes", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def access_token(app: FastAPI, subject: str, *, expires_in: float = 300, **claims: Any) -> str:
    """An access token as API.md §2 describes it (HS256 with the deployment's secret),
    minted here so that a test can vary any claim."""
    now = datetime.now(UTC)
    payload = {
        "sub": subject,
        "iat": now,
        "exp": now + timedelta(seconds=expires_in),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "jti": secrets.token_hex(16),
        **claims,
    }
    secret = app.state.settings.jwt_secret.get_secret_value()
    return jwt.encode(payload, secret, algorithm="HS256")


async def token_user(app: FastAPI) -> User:
    """A user who holds a valid token and a personal workspace but no password, so
    that tests skip two argon2 runs per user: what registration makes, minus the
    account row (the personal workspace is what every request of a user needs)."""
    user_id = str(new_id())
    await open_account(app, user_id)
    return User(id=user_id, email="", token=access_token(app, user_id))


async def open_account(app: FastAPI, user_id: str) -> None:
    """What makes a user id an account for notes and tasks: its personal workspace."""
    async with app.state.database.write_session() as session, session.begin():
        await create_personal(session, user_id=user_id)


def without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    """An error body minus the one field that differs between two identical errors."""
    return {key: value for key, value in body.items() if key != "request_id"}


async def make_task(client: httpx.AsyncClient, user: User, **fields: Any) -> dict[str, Any]:
    body = {"title": "A task", **fields}
    response = await client.post("/tasks", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]
