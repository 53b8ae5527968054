"""What is stored of a refresh token: its SHA-256 hash only."""

import re

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from teamnotes.auth.models import RefreshToken
from tests.auth.sessions.support import login, refreshed, stored_token, token_hash


class TestRefreshTokenStorage:
    async def test_only_sha256_hashes_are_stored(
        self, app: FastAPI, client: httpx.AsyncClient, email: str
    ) -> None:
        first = (await login(client, email))["refresh_token"]
        second = (await refreshed(client, first))["refresh_token"]
        row = await stored_token(app, second)
        async with app.state.database.reader.connect() as connection:
            rows = (
                await connection.execute(
                    select(RefreshToken).where(RefreshToken.user_id == row.user_id)
                )
            ).all()
        assert {stored.token_hash for stored in rows} == {token_hash(first), token_hash(second)}
        for stored in rows:
            assert re.fullmatch(r"[0-9a-f]{64}", stored.token_hash)
            for value in stored:
                assert first not in str(value)
                assert second not in str(value)
