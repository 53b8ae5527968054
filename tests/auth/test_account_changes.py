"""Changing and deleting one's own account (API.md §2): PATCH and DELETE /auth/me."""

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from teamnotes.auth.models import RefreshToken
from teamnotes.auth.models import User as UserRow
from teamnotes.auth.tokens import TokenIssuer
from teamnotes.kit.idempotency import IdempotencyKey
from teamnotes.notes.models import Note
from teamnotes.tasks.models import Task
from teamnotes.workspaces.models import Workspace
from tests.factories import PASSWORD, unique_email, without_request_id

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


@pytest.fixture
async def account(client: httpx.AsyncClient) -> Account:
    return await new_account(client)


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


class TestUpdateDisplayName:
    async def test_is_trimmed_and_kept(self, client: httpx.AsyncClient, account: Account) -> None:
        response = await client.patch(
            "/auth/me", json={"display_name": " \t Ada Lovelace \n"}, headers=account.headers
        )
        assert response.status_code == 200, response.text
        user = response.json()
        assert set(user) == USER_FIELDS
        assert user["display_name"] == "Ada Lovelace"
        assert user["id"] == account.id
        assert user["email"] == account.email
        assert response.headers["Cache-Control"] == "no-store"
        assert await me(client, account) == user

    async def test_null_clears_it(self, client: httpx.AsyncClient, account: Account) -> None:
        await client.patch("/auth/me", json={"display_name": "Ada"}, headers=account.headers)
        response = await client.patch(
            "/auth/me", json={"display_name": None}, headers=account.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["display_name"] is None
        assert (await me(client, account))["display_name"] is None

    async def test_leaving_it_out_keeps_it(
        self, client: httpx.AsyncClient, account: Account
    ) -> None:
        await client.patch("/auth/me", json={"display_name": "Ada"}, headers=account.headers)
        response = await client.patch("/auth/me", json={}, headers=account.headers)
        assert response.status_code == 200, response.text
        assert response.json()["display_name"] == "Ada"

    async def test_100_characters_are_accepted(
        self, client: httpx.AsyncClient, account: Account
    ) -> None:
        name = "é" * 100
        response = await client.patch(
            "/auth/me", json={"display_name": name}, headers=account.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["display_name"] == name

    @pytest.mark.parametrize("name", ["", "   ", "x" * 101, "a\x00b"])
    async def test_invalid_is_422(
        self, client: httpx.AsyncClient, account: Account, name: str
    ) -> None:
        response = await client.patch(
            "/auth/me", json={"display_name": name}, headers=account.headers
        )
        body = assert_error(response, 422, "validation_error")
        assert body["field"] == "display_name"
        assert (await me(client, account))["display_name"] is None

    @pytest.mark.parametrize(
        "field",
        [
            {"email": "someone-else@example.com"},
            {"id": "01a20000-0000-7000-8000-000000000000"},
            {"created_at": "2020-01-01T00:00:00Z"},
            {"password_hash": "x"},
            {"displayName": "Ada"},
        ],
    )
    async def test_unknown_field_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient, account: Account, field: dict[str, str]
    ) -> None:
        before = await me(client, account)
        response = await client.patch(
            "/auth/me", json={"display_name": "Ada", **field}, headers=account.headers
        )
        assert_error(response, 422, "validation_error")
        assert await me(client, account) == before

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.patch("/auth/me", json={"display_name": "Ada"})
        assert_error(response, 401, "not_authenticated")
        assert response.headers["WWW-Authenticate"] == "Bearer"


class TestChangePassword:
    async def test_new_password_logs_in_and_the_old_one_does_not(
        self, client: httpx.AsyncClient, account: Account
    ) -> None:
        response = await client.patch(
            "/auth/me",
            json={"password": NEW_PASSWORD, "current_password": PASSWORD},
            headers=account.headers,
        )
        assert response.status_code == 200, response.text
        assert set(response.json()) == USER_FIELDS
        assert (await login(client, account.email, NEW_PASSWORD)).status_code == 200
        assert_error(await login(client, account.email, PASSWORD), 401, "invalid_credentials")

    async def test_ends_every_other_login_but_keeps_this_one(
        self, app: FastAPI, client: httpx.AsyncClient, account: Account
    ) -> None:
        laptop = await another_login(client, account)
        phone = await another_login(client, account)
        response = await client.patch(
            "/auth/me",
            json={"password": NEW_PASSWORD, "current_password": PASSWORD},
            headers=account.headers,
        )
        assert response.status_code == 200, response.text
        for other in (laptop, phone):
            assert_error(await refresh(client, other.refresh_token), 401, "invalid_token")
            assert await revoked(app, other.refresh_token)
        assert not await revoked(app, account.refresh_token)
        kept = await refresh(client, account.refresh_token)
        assert kept.status_code == 200, kept.text
        assert (await refresh(client, kept.json()["refresh_token"])).status_code == 200

    async def test_from_a_refreshed_access_token_keeps_this_login(
        self, client: httpx.AsyncClient, account: Account
    ) -> None:
        other = await another_login(client, account)
        pair = (await refresh(client, account.refresh_token)).json()
        response = await client.patch(
            "/auth/me",
            json={"password": NEW_PASSWORD, "current_password": PASSWORD},
            headers={"Authorization": f"Bearer {pair['access_token']}"},
        )
        assert response.status_code == 200, response.text
        assert (await refresh(client, pair["refresh_token"])).status_code == 200
        assert_error(await refresh(client, other.refresh_token), 401, "invalid_token")

    async def test_with_a_token_of_no_login_ends_every_login(
        self, app: FastAPI, client: httpx.AsyncClient, account: Account
    ) -> None:
        issuer: TokenIssuer = app.state.token_issuer
        response = await client.patch(
            "/auth/me",
            json={"password": NEW_PASSWORD, "current_password": PASSWORD},
            headers={"Authorization": f"Bearer {issuer.access_token(account.id)}"},
        )
        assert response.status_code == 200, response.text
        assert_error(await refresh(client, account.refresh_token), 401, "invalid_token")

    async def test_can_change_the_display_name_at_the_same_time(
        self, client: httpx.AsyncClient, account: Account
    ) -> None:
        response = await client.patch(
            "/auth/me",
            json={"password": NEW_PASSWORD, "current_password": PASSWORD, "display_name": "Ada"},
            headers=account.headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["display_name"] == "Ada"

    @pytest.mark.parametrize(
        "current",
        [
            pytest.param({}, id="missing"),
            pytest.param({"current_password": "not the password"}, id="wrong"),
            pytest.param({"current_password": ""}, id="empty"),
            pytest.param({"current_password": NEW_PASSWORD}, id="the-new-one"),
        ],
    )
    async def test_without_the_right_current_password_is_403_and_nothing_changes(
        self, app: FastAPI, client: httpx.AsyncClient, account: Account, current: dict[str, str]
    ) -> None:
        other = await another_login(client, account)
        before = await stored_user(app, account.id)
        response = await client.patch(
            "/auth/me",
            json={"password": NEW_PASSWORD, "display_name": "Mallory", **current},
            headers=account.headers,
        )
        body = assert_error(response, 403, "invalid_credentials")
        assert without_request_id(body)["field"] is None
        assert response.headers["Cache-Control"] == "no-store"
        after = await stored_user(app, account.id)
        assert after.password_hash == before.password_hash
        assert after.display_name is None
        assert after.updated_at == before.updated_at
        assert (await me(client, account))["display_name"] is None
        # No login ended.
        assert not await revoked(app, other.refresh_token)
        assert not await revoked(app, account.refresh_token)

    async def test_with_current_password_null_is_422(
        self, client: httpx.AsyncClient, account: Account
    ) -> None:
        response = await client.patch(
            "/auth/me",
            json={"password": NEW_PASSWORD, "current_password": None},
            headers=account.headers,
        )
        assert_error(response, 422, "validation_error")

    @pytest.mark.parametrize("password", ["short", "x" * 257, None])
    async def test_invalid_new_password_is_422(
        self, app: FastAPI, client: httpx.AsyncClient, account: Account, password: str | None
    ) -> None:
        before = await stored_user(app, account.id)
        response = await client.patch(
            "/auth/me",
            json={"password": password, "current_password": PASSWORD},
            headers=account.headers,
        )
        body = assert_error(response, 422, "validation_error")
        assert body["field"] == "password"
        assert (await stored_user(app, account.id)).password_hash == before.password_hash


class TestDeleteMe:
    async def test_removes_the_account_and_everything_it_owns(
        self, app: FastAPI, client: httpx.AsyncClient, account: Account
    ) -> None:
        neighbour = await new_account(client)
        for owner in (account, neighbour):
            for title in ("One", "Two"):
                # Retry-safe creates: the stored responses hold copies of the rows.
                note = await client.post(
                    "/notes",
                    json={"title": title},
                    headers={**owner.headers, "Idempotency-Key": f"note-{title}"},
                )
                assert note.status_code == 201, note.text
                task = await client.post(
                    "/tasks",
                    json={"title": title},
                    headers={**owner.headers, "Idempotency-Key": f"task-{title}"},
                )
                assert task.status_code == 201, task.text
        second = await another_login(client, account)
        await refresh(client, second.refresh_token)  # a rotated token in the family too
        assert await owned_rows(app, account.id) == {
            "auth_user": 1,
            "workspace": 1,
            "note": 2,
            "task": 2,
            "refresh_token": 3,
            "idempotency_key": 4,
        }
        neighbour_before = await owned_rows(app, neighbour.id)

        response = await client.delete("/auth/me", headers=account.headers)
        assert response.status_code == 204, response.text
        assert response.content == b""

        assert await owned_rows(app, account.id) == {
            "auth_user": 0,
            "workspace": 0,
            "note": 0,
            "task": 0,
            "refresh_token": 0,
            "idempotency_key": 0,
        }
        assert await owned_rows(app, neighbour.id) == neighbour_before
        assert_error(await client.get("/auth/me", headers=account.headers), 401, "invalid_token")
        assert_error(await login(client, account.email), 401, "invalid_credentials")
        assert_error(await refresh(client, account.refresh_token), 401, "invalid_token")
        # The neighbour sees all of theirs and can still refresh.
        for path in ("/notes", "/tasks"):
            listed = await client.get(path, headers=neighbour.headers)
            assert listed.json()["total"] == 2
        assert (await refresh(client, neighbour.refresh_token)).status_code == 200

    async def test_twice_is_401(self, client: httpx.AsyncClient, account: Account) -> None:
        assert (await client.delete("/auth/me", headers=account.headers)).status_code == 204
        response = await client.delete("/auth/me", headers=account.headers)
        assert_error(response, 401, "invalid_token")

    async def test_the_email_can_be_registered_again(
        self, client: httpx.AsyncClient, account: Account
    ) -> None:
        assert (await client.delete("/auth/me", headers=account.headers)).status_code == 204
        response = await client.post(
            "/auth/register", json={"email": account.email, "password": NEW_PASSWORD}
        )
        assert response.status_code == 201, response.text
        assert response.json()["id"] != account.id

    async def test_changing_the_deleted_account_is_401(
        self, client: httpx.AsyncClient, account: Account
    ) -> None:
        assert (await client.delete("/auth/me", headers=account.headers)).status_code == 204
        response = await client.patch(
            "/auth/me", json={"display_name": "Ghost"}, headers=account.headers
        )
        assert_error(response, 401, "invalid_token")

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.delete("/auth/me")
        assert_error(response, 401, "not_authenticated")
