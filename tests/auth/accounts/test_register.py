"""POST /auth/register (API.md §2)."""

import re
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.kit.ids import new_id
from tests.auth.accounts.support import ARGON2ID_PREFIX, JSON, register, stored_hash
from tests.errors import assert_error, assert_validation_error
from tests.factories import PASSWORD, unique_email

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
USER_FIELDS = {"id", "email", "display_name", "created_at"}


class TestRegister:
    async def test_returns_201_and_the_user_without_any_password(
        self, client: httpx.AsyncClient
    ) -> None:
        email = unique_email()
        response = await register(client, email=email)
        assert response.status_code == 201
        user = response.json()
        assert set(user) == USER_FIELDS
        assert user["email"] == email
        assert user["display_name"] is None
        assert UUID7.match(user["id"])
        assert TIMESTAMP.match(user["created_at"])
        assert PASSWORD not in response.text
        assert "argon2" not in response.text

    async def test_email_is_trimmed_and_lowercased(self, client: httpx.AsyncClient) -> None:
        local = f"Mixed.Case-{new_id().hex[-8:]}"
        response = await register(client, email=f"  {local}@Example.COM \n")
        assert response.status_code == 201
        assert response.json()["email"] == f"{local.lower()}@example.com"

    @pytest.mark.parametrize(
        "email",
        [
            "not-an-email",
            "a@",
            "@example.com",
            "a b@example.com",
            "a@b@example.com",
            "",
            "   ",
            "a\x00@example.com",
            f"{'a' * 300}@example.com",
        ],
    )
    async def test_invalid_email_is_422(self, client: httpx.AsyncClient, email: str) -> None:
        assert_validation_error(await register(client, email=email), "email")

    async def test_missing_email_is_422(self, client: httpx.AsyncClient) -> None:
        assert_validation_error(await register(client), "email")

    @pytest.mark.parametrize("password", ["", "a" * 7, "é" * 7, "a" * 257, "a" * 7 + "\x00"])
    async def test_password_outside_8_to_256_characters_or_with_nul_is_422(
        self, client: httpx.AsyncClient, password: str
    ) -> None:
        response = await register(client, email=unique_email(), password=password)
        assert_validation_error(response, "password")

    @pytest.mark.parametrize("password", ["a" * 8, "é" * 256])
    async def test_password_of_8_to_256_characters_is_accepted(
        self, client: httpx.AsyncClient, password: str
    ) -> None:
        email = unique_email()
        assert (await register(client, email=email, password=password)).status_code == 201
        login = await client.post("/auth/token", json={"email": email, "password": password})
        assert login.status_code == 200

    async def test_password_is_used_exactly_as_sent(self, client: httpx.AsyncClient) -> None:
        email, password = unique_email(), "  spaced out  "
        assert (await register(client, email=email, password=password)).status_code == 201
        login = await client.post("/auth/token", json={"email": email, "password": password})
        assert login.status_code == 200
        trimmed = await client.post("/auth/token", json={"email": email, "password": "spaced out"})
        assert_error(trimmed, 401, "invalid_credentials")

    @pytest.mark.parametrize("spelling", [str.lower, str.upper, str.title])
    async def test_duplicate_email_in_any_case_is_409(
        self, client: httpx.AsyncClient, spelling: Callable[[str], str]
    ) -> None:
        email = unique_email()
        assert (await register(client, email=email)).status_code == 201
        response = await register(client, email=f" {spelling(email)} ", password="another password")
        assert_error(response, 409, "email_taken")

    async def test_display_name_is_trimmed(self, client: httpx.AsyncClient) -> None:
        response = await register(client, email=unique_email(), display_name="  Ada Lovelace \t")
        assert response.status_code == 201
        assert response.json()["display_name"] == "Ada Lovelace"

    @pytest.mark.parametrize("display_name", ["", "   ", "\n", "Ada\x00"])
    async def test_blank_display_name_or_with_nul_is_422(
        self, client: httpx.AsyncClient, display_name: str
    ) -> None:
        response = await register(client, email=unique_email(), display_name=display_name)
        assert_validation_error(response, "display_name")

    @pytest.mark.parametrize("field", ["id", "created_at", "password_hash", "is_admin"])
    async def test_unknown_field_is_422(self, client: httpx.AsyncClient, field: str) -> None:
        response = await register(client, email=unique_email(), **{field: "x"})
        assert_validation_error(response, field)

    async def test_form_body_is_415(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/auth/register", data={"email": unique_email(), "password": PASSWORD}
        )
        assert_error(response, 415, "unsupported_media_type")

    async def test_broken_json_is_400(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/auth/register", content=b'{"email": ', headers=JSON)
        assert_error(response, 400, "invalid_json")

    async def test_stores_an_argon2id_hash_at_owasp_cost(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        email = unique_email()
        assert (await register(client, email=email)).status_code == 201
        password_hash = await stored_hash(app, email)
        assert password_hash.startswith(ARGON2ID_PREFIX)
        assert PASSWORD not in password_hash
