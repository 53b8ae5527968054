"""GET /auth/me (API.md §2)."""

import httpx
from fastapi import FastAPI

from teamnotes.kit.ids import new_id
from tests.auth.accounts.support import register
from tests.errors import assert_error
from tests.factories import PASSWORD, access_token, unique_email


class TestMe:
    async def test_returns_the_registered_user(self, client: httpx.AsyncClient) -> None:
        email = unique_email()
        registered = await register(client, email=email, display_name="Grace")
        login = await client.post("/auth/token", data={"username": email, "password": PASSWORD})
        token = login.json()["access_token"]
        response = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert response.json() == registered.json()
        assert response.headers["Cache-Control"] == "no-store"

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/auth/me")
        assert_error(response, 401, "not_authenticated")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_a_token_for_a_user_that_does_not_exist_is_401(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        token = access_token(app, str(new_id()))
        response = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_a_garbage_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/auth/me", headers={"Authorization": "Bearer garbage"})
        assert_error(response, 401, "invalid_token")
