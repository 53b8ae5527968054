"""PATCH /auth/me with a display name (API.md §2): trimmed, cleared, bounded, and
nothing else of the account changed through it."""

import httpx
import pytest

from tests.auth.account_changes.support import USER_FIELDS, Account, assert_error, me


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
