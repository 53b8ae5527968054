"""A rotated refresh token presented again, with no grace window: the login is over."""

import httpx
from fastapi import FastAPI

from tests.auth.sessions.support import (
    assert_invalid_token,
    login,
    refresh,
    refreshed,
    stored_token,
)


class TestRefreshReuseDetection:
    async def test_rotated_token_presented_again_revokes_the_whole_login(
        self, strict: httpx.AsyncClient, email: str
    ) -> None:
        first = (await login(strict, email))["refresh_token"]
        second = (await refreshed(strict, first))["refresh_token"]
        newest = (await refreshed(strict, second))["refresh_token"]
        assert_invalid_token(await refresh(strict, first))
        assert_invalid_token(await refresh(strict, newest))
        assert_invalid_token(await refresh(strict, second))

    async def test_another_login_of_the_same_user_keeps_working(
        self, strict: httpx.AsyncClient, email: str
    ) -> None:
        stolen = (await login(strict, email))["refresh_token"]
        other = (await login(strict, email))["refresh_token"]
        await refreshed(strict, stolen)
        assert_invalid_token(await refresh(strict, stolen))
        other = (await refreshed(strict, other))["refresh_token"]
        await refreshed(strict, other)

    async def test_the_revocation_is_kept_in_the_database(
        self, strict_app: FastAPI, strict: httpx.AsyncClient, email: str
    ) -> None:
        first = await login(strict, email)
        other = await login(strict, email)
        second = await refreshed(strict, first["refresh_token"])
        assert_invalid_token(await refresh(strict, first["refresh_token"]))
        for token in (first["refresh_token"], second["refresh_token"]):
            assert (await stored_token(strict_app, token)).revoked_at is not None
        assert (await stored_token(strict_app, other["refresh_token"])).revoked_at is None
