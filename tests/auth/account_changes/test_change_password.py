"""PATCH /auth/me with a new password (API.md §2): only with the current one, and it
ends every other login of the account but the one that changed it."""

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.auth.tokens import TokenIssuer
from tests.auth.account_changes.support import (
    NEW_PASSWORD,
    USER_FIELDS,
    Account,
    another_login,
    assert_error,
    login,
    me,
    refresh,
    revoked,
    stored_user,
)
from tests.factories import PASSWORD, without_request_id


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
