"""TEAMNOTES_LOCAL_AUTH=false (API.md §2): the local account routes answer 403."""

import httpx
import pytest

from tests.auth.sessions.support import login, refresh, refreshed
from tests.factories import PASSWORD


def assert_forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["error_code"] == "forbidden"
    assert body["request_id"] == response.headers["X-Request-ID"]


class TestLocalAuthTurnedOff:
    """The same database and secret as `app`, with TEAMNOTES_LOCAL_AUTH=false."""

    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("/auth/register", {"email": "someone@example.com", "password": PASSWORD}),
            ("/auth/token", {"email": "someone@example.com", "password": PASSWORD}),
            ("/auth/refresh", {"refresh_token": "anything"}),
            ("/auth/logout", {"refresh_token": "anything"}),
        ],
    )
    async def test_local_account_routes_are_403(
        self, provider_owned: httpx.AsyncClient, path: str, body: dict[str, str]
    ) -> None:
        assert_forbidden(await provider_owned.post(path, json=body))

    async def test_login_form_and_real_tokens_are_403_too(
        self, client: httpx.AsyncClient, provider_owned: httpx.AsyncClient, email: str
    ) -> None:
        pair = await login(client, email)
        assert_forbidden(
            await provider_owned.post("/auth/token", data={"username": email, "password": PASSWORD})
        )
        assert_forbidden(await refresh(provider_owned, pair["refresh_token"]))
        assert_forbidden(
            await provider_owned.post("/auth/logout", json={"refresh_token": pair["refresh_token"]})
        )
        # Nothing happened to the login.
        await refreshed(client, pair["refresh_token"])

    async def test_password_change_is_403(
        self, client: httpx.AsyncClient, provider_owned: httpx.AsyncClient, email: str
    ) -> None:
        headers = {"Authorization": f"Bearer {(await login(client, email))['access_token']}"}
        response = await provider_owned.patch(
            "/auth/me",
            json={"password": "a brand new password", "current_password": PASSWORD},
            headers=headers,
        )
        assert_forbidden(response)
        await login(client, email)  # the password is unchanged

    async def test_me_still_works(
        self, client: httpx.AsyncClient, provider_owned: httpx.AsyncClient, email: str
    ) -> None:
        headers = {"Authorization": f"Bearer {(await login(client, email))['access_token']}"}
        response = await provider_owned.get("/auth/me", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["email"] == email

    async def test_display_name_change_still_works(
        self, client: httpx.AsyncClient, provider_owned: httpx.AsyncClient, email: str
    ) -> None:
        headers = {"Authorization": f"Bearer {(await login(client, email))['access_token']}"}
        response = await provider_owned.patch(
            "/auth/me", json={"display_name": "Ada"}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["display_name"] == "Ada"
        me = await provider_owned.get("/auth/me", headers=headers)
        assert me.json()["display_name"] == "Ada"
