"""The refresh grace window (TEAMNOTES_REFRESH_REUSE_GRACE): two tabs refreshing at once."""

import asyncio

import httpx

from tests.auth.sessions.support import (
    assert_invalid_token,
    claims,
    login,
    refresh,
    refreshed,
)


class TestRefreshGraceWindow:
    async def test_rotated_token_within_grace_yields_another_pair_of_the_same_login(
        self, tabs: httpx.AsyncClient, email: str
    ) -> None:
        first = await login(tabs, email)
        tab_one = await refreshed(tabs, first["refresh_token"])
        tab_two = await refreshed(tabs, first["refresh_token"])
        assert tab_one["refresh_token"] != tab_two["refresh_token"]
        sid = claims(first["access_token"])["sid"]
        assert claims(tab_one["access_token"])["sid"] == sid
        assert claims(tab_two["access_token"])["sid"] == sid
        # Both tabs stay logged in.
        await refreshed(tabs, tab_one["refresh_token"])
        await refreshed(tabs, tab_two["refresh_token"])

    async def test_concurrent_refresh_of_one_token_both_succeed(
        self, tabs: httpx.AsyncClient, email: str
    ) -> None:
        token = (await login(tabs, email))["refresh_token"]
        responses = await asyncio.gather(refresh(tabs, token), refresh(tabs, token))
        assert [response.status_code for response in responses] == [200, 200], [
            response.text for response in responses
        ]
        tokens = {response.json()["refresh_token"] for response in responses}
        assert len(tokens) == 2
        for new in tokens:
            await refreshed(tabs, new)

    async def test_grace_does_not_revive_a_revoked_login(
        self, tabs: httpx.AsyncClient, email: str
    ) -> None:
        first = (await login(tabs, email))["refresh_token"]
        second = (await refreshed(tabs, first))["refresh_token"]
        response = await tabs.post("/auth/logout", json={"refresh_token": second})
        assert response.status_code == 204
        assert_invalid_token(await refresh(tabs, first))
