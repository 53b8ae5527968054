"""Tokens the provider signed, as the API takes them (API.md §2)."""

import secrets
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from teamnotes.notes.models import Note
from teamnotes.workspaces.gate import personal_workspace_id
from tests.auth.external.apps import Provider, count_rows
from tests.auth.external.provider import (
    AUDIENCE,
    KEY_TYPES,
    assert_invalid_token,
    bearer,
    mint,
    subject_of,
)
from tests.factories import token_user


class TestProviderToken:
    def test_looks_like_better_auths(self, provider: Provider) -> None:
        token = mint(provider.ed)
        assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "kid": provider.ed.kid}
        assert set(provider.ed.jwk) == {"kty", "crv", "x", "kid", "alg"}

    @pytest.mark.parametrize("key_type", KEY_TYPES)
    async def test_creates_and_lists_notes(
        self,
        provider_app: FastAPI,
        external: httpx.AsyncClient,
        provider: Provider,
        key_type: str,
    ) -> None:
        token = mint(provider.key(key_type))
        created = await external.post("/notes", json={"title": "Hello"}, headers=bearer(token))
        assert created.status_code == 201, created.text
        listed = await external.get("/notes", headers=bearer(token))
        assert listed.status_code == 200, listed.text
        assert [note["id"] for note in listed.json()["items"]] == [created.json()["id"]]
        owned = select(func.count()).where(
            Note.workspace_id == personal_workspace_id(subject_of(token))
        )
        assert await count_rows(provider_app, owned) == 1

    @pytest.mark.parametrize("key_type", KEY_TYPES)
    async def test_creates_and_lists_tasks(
        self, external: httpx.AsyncClient, provider: Provider, key_type: str
    ) -> None:
        token = mint(provider.key(key_type))
        created = await external.post("/tasks", json={"title": "Do it"}, headers=bearer(token))
        assert created.status_code == 201, created.text
        for path in ("/tasks", f"/api/{subject_of(token)}/tasks"):
            listed = await external.get(path, headers=bearer(token))
            assert listed.status_code == 200, listed.text
            assert [task["id"] for task in listed.json()["items"]] == [created.json()["id"]]

    async def test_works_on_every_notes_and_tasks_route(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        headers = bearer(mint(provider.ed))
        note = (await external.post("/notes", json={"title": "N"}, headers=headers)).json()
        task = (await external.post("/tasks", json={"title": "T"}, headers=headers)).json()
        user_scoped = f"/api/{subject_of(headers['Authorization'][7:])}/tasks"
        calls: list[tuple[str, str, Any]] = [
            ("GET", "/notes", None),
            ("GET", f"/notes/{note['id']}", None),
            ("GET", f"/notes/{note['id']}/html", None),
            ("PUT", f"/notes/{note['id']}", {"title": "N2", "content": "x"}),
            ("PATCH", f"/notes/{note['id']}", {"title": "N3"}),
            ("GET", "/tasks", None),
            ("GET", f"/tasks/{task['id']}", None),
            ("PUT", f"/tasks/{task['id']}", {"title": "T2"}),
            ("PATCH", f"/tasks/{task['id']}", {"title": "T3"}),
            ("PATCH", f"/tasks/{task['id']}/complete", None),
            ("GET", user_scoped, None),
            ("GET", f"{user_scoped}/{task['id']}", None),
            ("PATCH", f"{user_scoped}/{task['id']}/complete", None),
            ("DELETE", f"/notes/{note['id']}", None),
            ("DELETE", f"{user_scoped}/{task['id']}", None),
        ]
        for method, path, body in calls:
            response = await external.request(method, path, json=body, headers=headers)
            assert response.status_code in (200, 204), (method, path, response.text)

    async def test_audience_may_be_a_list(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        token = mint(provider.ed, aud=["https://other.example.com", AUDIENCE])
        response = await external.get("/notes", headers=bearer(token))
        assert response.status_code == 200, response.text

    async def test_expired_within_the_leeway_is_accepted(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        now = int(time.time())
        token = mint(provider.ed, iat=now - 900, exp=now - 10)
        response = await external.get("/notes", headers=bearer(token))
        assert response.status_code == 200, response.text

    @pytest.mark.parametrize(
        "sub",
        [
            "x" * 255,
            "é" * 255,
            "😀" * 255,
            "auth0|5f7c8ec7c33c6c004bbafe82",
            "google-oauth2|104857600123456789",
            "ada@example.com",
            "0",
        ],
    )
    async def test_any_sub_of_up_to_255_characters_is_the_owner(
        self, provider_app: FastAPI, external: httpx.AsyncClient, provider: Provider, sub: str
    ) -> None:
        sub = sub if len(sub) == 255 else f"{sub}-{secrets.token_hex(4)}"
        headers = bearer(mint(provider.ed, sub=sub))
        created = await external.post("/notes", json={"title": "Mine"}, headers=headers)
        assert created.status_code == 201, created.text
        task = await external.post("/tasks", json={"title": "Mine"}, headers=headers)
        assert task.status_code == 201, task.text
        me = await external.get("/auth/me", headers=headers)
        assert me.status_code == 200, me.text
        assert me.json()["id"] == sub
        async with provider_app.state.database.reader.connect() as connection:
            owners = (
                await connection.execute(
                    select(Note.created_by).where(Note.id == uuid.UUID(created.json()["id"]))
                )
            ).scalar_one()
        assert owners == sub

    @pytest.mark.parametrize("sub", ["x" * 256, "é" * 256, "", 12345, None, ["a"]])
    async def test_sub_that_is_not_a_string_of_up_to_255_characters_is_401(
        self, external: httpx.AsyncClient, provider: Provider, sub: Any
    ) -> None:
        token = mint(provider.ed, sub=sub)
        assert_invalid_token(
            await external.post("/notes", json={"title": "x"}, headers=bearer(token))
        )

    async def test_users_see_only_their_own_rows(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        alice, bob = bearer(mint(provider.ed)), bearer(mint(provider.rsa))
        note = (await external.post("/notes", json={"title": "A"}, headers=alice)).json()
        response = await external.get(f"/notes/{note['id']}", headers=bob)
        assert response.status_code == 404, response.text
        assert (await external.get("/notes", headers=bob)).json()["total"] == 0

    async def test_built_in_tokens_still_work_and_never_reach_the_provider(
        self, provider_app: FastAPI, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        before = provider.server.requests
        user = await token_user(provider_app)
        response = await external.get("/notes", headers=user.headers)
        assert response.status_code == 200, response.text
        assert provider.server.requests == before
