"""`/auth/me` and the account an external user gets at their first request."""

import asyncio
import secrets
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from teamnotes.auth.models import ExternalUser
from teamnotes.kit.idempotency import IdempotencyKey
from teamnotes.notes.models import Note
from teamnotes.tasks.models import Task
from teamnotes.workspaces.gate import personal_workspace_id
from teamnotes.workspaces.models import Workspace
from tests.auth.external.apps import Provider, count_rows
from tests.auth.external.provider import DROP, assert_invalid_token, bearer, mint, subject_of


class TestExternalMe:
    async def test_returns_the_user_the_token_describes(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        token = mint(provider.ed, email="grace@example.com", name="Grace Hopper")
        response = await external.get("/auth/me", headers=bearer(token))
        assert response.status_code == 200, response.text
        user = response.json()
        assert set(user) == {"id", "email", "display_name", "created_at"}
        assert user["id"] == subject_of(token)
        assert user["email"] == "grace@example.com"
        assert user["display_name"] == "Grace Hopper"
        assert response.headers["Cache-Control"] == "no-store"

    async def test_created_at_is_when_first_seen_and_stays(
        self, provider_app: FastAPI, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        sub = f"user_{secrets.token_hex(8)}"
        before = datetime.now(UTC)
        first = (await external.get("/auth/me", headers=bearer(mint(provider.ed, sub=sub)))).json()
        after = datetime.now(UTC)
        seen = datetime.fromisoformat(first["created_at"].replace("Z", "+00:00"))
        assert before <= seen <= after
        # A later token of the same user (another key, a new name) is the same user.
        later = mint(provider.rsa, sub=sub, name="Ada King")
        second = (await external.get("/auth/me", headers=bearer(later))).json()
        assert second["created_at"] == first["created_at"]
        assert second["display_name"] == "Ada King"
        remembered = select(func.count()).where(ExternalUser.id == sub)
        assert await count_rows(provider_app, remembered) == 1

    async def test_concurrent_first_requests_agree_on_created_at(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        headers = bearer(mint(provider.ed))
        responses = await asyncio.gather(
            *[external.get("/auth/me", headers=headers) for _ in range(8)]
        )
        assert [response.status_code for response in responses] == [200] * 8
        assert len({response.json()["created_at"] for response in responses}) == 1

    @pytest.mark.parametrize(
        "claims",
        [
            pytest.param({"email": DROP, "name": DROP}, id="absent"),
            pytest.param({"email": None, "name": None}, id="null"),
            pytest.param({"email": 42, "name": ["Ada"]}, id="not-strings"),
        ],
    )
    async def test_email_and_display_name_are_null_without_usable_claims(
        self, external: httpx.AsyncClient, provider: Provider, claims: dict[str, Any]
    ) -> None:
        response = await external.get("/auth/me", headers=bearer(mint(provider.ed, **claims)))
        assert response.status_code == 200, response.text
        assert response.json()["email"] is None
        assert response.json()["display_name"] is None

    @pytest.mark.parametrize(
        "body",
        [
            {"display_name": "Someone"},
            {"password": "a new password", "current_password": "anything at all"},
            {},
        ],
    )
    async def test_patch_is_403_forbidden(
        self, external: httpx.AsyncClient, provider: Provider, body: dict[str, str]
    ) -> None:
        token = mint(provider.ed)
        response = await external.patch("/auth/me", json=body, headers=bearer(token))
        assert response.status_code == 403, response.text
        assert response.json()["error_code"] == "forbidden"
        me = await external.get("/auth/me", headers=bearer(token))
        assert me.json()["display_name"] == "Ada Lovelace"

    async def test_delete_removes_their_notes_and_tasks(
        self, provider_app: FastAPI, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        leaving, staying = mint(provider.ed), mint(provider.ec)
        for token in (leaving, staying):
            for title in ("One", "Two"):
                note = await external.post(
                    "/notes",
                    json={"title": title},
                    headers={**bearer(token), "Idempotency-Key": f"note-{title}"},
                )
                assert note.status_code == 201, note.text
                task = await external.post(
                    "/tasks",
                    json={"title": title},
                    headers={**bearer(token), "Idempotency-Key": f"task-{title}"},
                )
                assert task.status_code == 201, task.text
            assert (await external.get("/auth/me", headers=bearer(token))).status_code == 200

        def owned(token: str) -> list[Any]:
            sub = subject_of(token)
            return [
                select(func.count()).where(Note.workspace_id == personal_workspace_id(sub)),
                select(func.count()).where(Task.workspace_id == personal_workspace_id(sub)),
                select(func.count()).where(
                    ExternalUser.id == sub, ExternalUser.deleted_at.is_(None)
                ),
                select(func.count()).where(IdempotencyKey.owner_id == sub),
                select(func.count()).where(Workspace.personal_owner_id == sub),
            ]

        response = await external.delete("/auth/me", headers=bearer(leaving))
        assert response.status_code == 204, response.text
        assert [await count_rows(provider_app, query) for query in owned(leaving)] == [
            0,
            0,
            0,
            0,
            0,
        ]
        assert [await count_rows(provider_app, query) for query in owned(staying)] == [
            2,
            2,
            1,
            4,
            1,
        ]
        # Their tokens of before the deletion are refused from now on...
        assert_invalid_token(await external.get("/notes", headers=bearer(leaving)))
        # ... but the provider still vouches for the user: a token issued since starts a
        # new account from nothing...
        sub = subject_of(leaving)
        fresh = mint(provider.ed, sub=sub, iat=int(time.time()) + 2)
        listed = await external.get("/notes", headers=bearer(fresh))
        assert listed.status_code == 200, listed.text
        assert listed.json()["total"] == 0
        # ... and a create retried with an old key makes a note that exists.
        retried = await external.post(
            "/notes",
            json={"title": "One"},
            headers={**bearer(fresh), "Idempotency-Key": "note-One"},
        )
        assert retried.status_code == 201, retried.text
        note = await external.get(f"/notes/{retried.json()['id']}", headers=bearer(fresh))
        assert note.status_code == 200, note.text
