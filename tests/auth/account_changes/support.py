"""What the account-changes tests share: accounts and their logins, reading oneself
back, the error body, and the rows stored for a user and their refresh tokens."""

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from teamnotes.auth.models import RefreshToken
from teamnotes.auth.models import User as UserRow
from teamnotes.kit.idempotency import IdempotencyKey
from teamnotes.notes.models import Note
from teamnotes.tasks.models import Task
from teamnotes.workspaces.models import Workspace
from tests.factories import PASSWORD, unique_email

NEW_PASSWORD = "a different, longer passphrase"
USER_FIELDS = {"id", "email", "display_name", "created_at"}


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/auth/token", data={"username": email, "password": password})


async def another_login(client: httpx.AsyncClient, account: Account) -> Account:
    response = await login(client, account.email)
    assert response.status_code == 200, response.text
    pair = response.json()
    return Account(account.id, account.email, pair["access_token"], pair["refresh_token"])


async def new_account(client: httpx.AsyncClient) -> Account:
    email = unique_email()
    registered = await client.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    return await another_login(client, Account(registered.json()["id"], email, "", ""))


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/auth/refresh", json={"refresh_token": token})


async def me(client: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    response = await client.get("/auth/me", headers=account.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def assert_error(response: httpx.Response, status: int, error_code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error_code"] == error_code
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


async def stored_user(app: FastAPI, user_id: str) -> Any:
    async with app.state.database.reader.connect() as connection:
        statement = select(UserRow).where(UserRow.id == uuid.UUID(user_id))
        return (await connection.execute(statement)).one_or_none()


async def count(app: FastAPI, statement: Any) -> int:
    async with app.state.database.reader.connect() as connection:
        return int((await connection.execute(statement)).scalar_one())


async def owned_rows(app: FastAPI, user_id: str) -> dict[str, int]:
    """How many rows of each table belong to this user."""
    return {
        "auth_user": await count(app, select(func.count()).where(UserRow.id == uuid.UUID(user_id))),
        "workspace": await count(
            app, select(func.count()).where(Workspace.personal_owner_id == user_id)
        ),
        "note": await count(app, select(func.count()).where(Note.created_by == user_id)),
        "task": await count(app, select(func.count()).where(Task.created_by == user_id)),
        "refresh_token": await count(
            app, select(func.count()).where(RefreshToken.user_id == uuid.UUID(user_id))
        ),
        "idempotency_key": await count(
            app, select(func.count()).where(IdempotencyKey.owner_id == user_id)
        ),
    }


async def revoked(app: FastAPI, token: str) -> bool:
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    async with app.state.database.reader.connect() as connection:
        statement = select(RefreshToken.revoked_at).where(RefreshToken.token_hash == token_hash)
        return (await connection.execute(statement)).scalar_one() is not None
