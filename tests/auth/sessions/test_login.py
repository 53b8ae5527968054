"""POST /auth/token (API.md §2): each login is a login of its own, with a refresh token."""

import httpx

from tests.auth.sessions.support import PAIR_FIELDS, claims, login
from tests.factories import PASSWORD


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
