"""POST /auth/logout (API.md §2): the whole login ends, and only it."""

import httpx
from fastapi import FastAPI

from teamnotes.auth.tokens import TokenIssuer
from teamnotes.kit.ids import new_id
from tests.auth.sessions.support import assert_invalid_token, login, refresh, refreshed


class TestLogout:
    async def test_returns_204_and_the_token_stops_working(
        self, client: httpx.AsyncClient, email: str
    ) -> None:
        token = (await login(client, email))["refresh_token"]
        response = await client.post("/auth/logout", json={"refresh_token": token})
        assert response.status_code == 204, response.text
        assert response.content == b""
        assert response.headers["Cache-Control"] == "no-store"
        assert_invalid_token(await refresh(client, token))

    async def test_ends_the_whole_login(self, client: httpx.AsyncClient, email: str) -> None:
        # Within the (default) grace window the rotated token would still yield a pair;
        # after logout no token of that login does.
        first = (await login(client, email))["refresh_token"]
        newest = (await refreshed(client, first))["refresh_token"]
        response = await client.post("/auth/logout", json={"refresh_token": newest})
        assert response.status_code == 204, response.text
        assert_invalid_token(await refresh(client, first))
        assert_invalid_token(await refresh(client, newest))

    async def test_other_logins_keep_working(self, client: httpx.AsyncClient, email: str) -> None:
        ended = (await login(client, email))["refresh_token"]
        kept = (await login(client, email))["refresh_token"]
        response = await client.post("/auth/logout", json={"refresh_token": ended})
        assert response.status_code == 204, response.text
        await refreshed(client, kept)

    async def test_twice_is_204(self, client: httpx.AsyncClient, email: str) -> None:
        token = (await login(client, email))["refresh_token"]
        for _ in range(2):
            response = await client.post("/auth/logout", json={"refresh_token": token})
            assert response.status_code == 204, response.text

    async def test_unknown_token_is_204(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        issuer: TokenIssuer = app.state.token_issuer
        signed = issuer.refresh_token(str(new_id()), session_id=str(new_id()))
        for token in ("garbage", signed):
            response = await client.post("/auth/logout", json={"refresh_token": token})
            assert response.status_code == 204, response.text
            assert response.headers["Cache-Control"] == "no-store"
