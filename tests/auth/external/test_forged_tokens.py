"""No forged token gets in (API.md §2), whatever it forges."""

import secrets

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from teamnotes.auth.models import ExternalUser
from teamnotes.notes.models import Note
from teamnotes.tasks.models import Task
from teamnotes.workspaces.gate import personal_workspace_id
from tests.auth.external.apps import Provider, count_rows
from tests.auth.external.forgeries import FORGERIES, Forgery, signed
from tests.auth.external.provider import assert_invalid_token, bearer, ed25519_key, mint


class TestForgedTokens:
    async def test_control_the_same_token_unforged_is_accepted(
        self, provider_app: FastAPI, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        # The forgeries below differ from this token only by their defect.
        token = signed()(provider, provider_app.state.token_issuer, "genuine")
        response = await external.post("/notes", json={"title": "x"}, headers=bearer(token))
        assert response.status_code == 201, response.text

    @pytest.mark.parametrize("forge", [pytest.param(forge, id=name) for name, forge in FORGERIES])
    async def test_is_401_invalid_token(
        self,
        provider_app: FastAPI,
        external: httpx.AsyncClient,
        provider: Provider,
        forge: Forgery,
    ) -> None:
        sub = f"forged-{secrets.token_hex(8)}"
        headers = bearer(forge(provider, provider_app.state.token_issuer, sub))
        assert_invalid_token(await external.post("/notes", json={"title": "x"}, headers=headers))
        assert_invalid_token(await external.post("/tasks", json={"title": "x"}, headers=headers))
        assert_invalid_token(await external.get("/auth/me", headers=headers))
        assert_invalid_token(await external.delete("/auth/me", headers=headers))
        for query in (
            select(func.count()).where(Note.workspace_id == personal_workspace_id(sub)),
            select(func.count()).where(Task.workspace_id == personal_workspace_id(sub)),
            select(func.count()).where(ExternalUser.id == sub, ExternalUser.deleted_at.is_(None)),
        ):
            assert await count_rows(provider_app, query) == 0

    async def test_unknown_kid_is_401_even_after_a_refetch(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        before = provider.server.requests
        assert_invalid_token(await external.get("/notes", headers=bearer(mint(ed25519_key()))))
        assert provider.server.requests == before + 1

    @pytest.mark.parametrize(
        "forge",
        [
            pytest.param(forge, id=name)
            for name, forge in FORGERIES
            if name.startswith(("hs", "built-in", "alg-"))
        ],
    )
    async def test_hmac_and_unsigned_tokens_never_reach_the_provider(
        self,
        provider_app: FastAPI,
        external: httpx.AsyncClient,
        provider: Provider,
        forge: Forgery,
    ) -> None:
        before = provider.server.requests
        token = forge(provider, provider_app.state.token_issuer, "someone")
        assert_invalid_token(await external.get("/notes", headers=bearer(token)))
        assert provider.server.requests == before
