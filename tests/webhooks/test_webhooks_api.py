"""`/workspaces/{id}/webhooks` (API.md §12): admins make, read, change and remove them."""

import json
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from teamnotes.auth.principal import Principal
from teamnotes.notes.schemas import NoteCreate
from teamnotes.notes.service import create_note
from teamnotes.webhooks.models import WebhookEvent
from teamnotes.workspaces.gate import Access, personal_workspace_id
from tests.auth.keys import team_with
from tests.factories import token_user
from tests.webhooks.conftest import make_webhook, personal_workspace

URL = "http://127.0.0.1:9/hook"  # never called: these tests write no note or task


class TestCreateWebhook:
    async def test_answers_the_secret_once(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI
    ) -> None:
        user = await token_user(hooks_app)
        workspace = await personal_workspace(hooks, user.headers)
        hook = await make_webhook(
            hooks, user.headers, workspace, URL, ["note.created", "task.deleted"], description="CI"
        )
        assert set(hook) == {"id", "url", "events", "description", "active", "secret", "created_at"}
        assert hook["secret"].startswith("whsec_")
        assert hook["events"] == ["note.created", "task.deleted"]
        assert hook["active"] is True
        read = await hooks.get(
            f"/workspaces/{workspace}/webhooks/{hook['id']}", headers=user.headers
        )
        assert read.json() == {name: value for name, value in hook.items() if name != "secret"}

    async def test_events_are_kept_once_and_star_means_all(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI
    ) -> None:
        user = await token_user(hooks_app)
        workspace = await personal_workspace(hooks, user.headers)
        twice = await make_webhook(hooks, user.headers, workspace, URL, ["task.created"] * 2)
        assert twice["events"] == ["task.created"]
        star = await make_webhook(hooks, user.headers, workspace, URL, ["note.created", "*"])
        assert star["events"] == ["*"]

    async def test_events_must_be_known_and_not_empty(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI
    ) -> None:
        user = await token_user(hooks_app)
        workspace = await personal_workspace(hooks, user.headers)
        for events in ([], ["note.moved"], "*"):
            response = await hooks.post(
                f"/workspaces/{workspace}/webhooks",
                json={"url": URL, "events": events},
                headers=user.headers,
            )
            assert response.status_code == 422, events
            assert response.json()["field"].startswith("events")


class TestWhoManagesWebhooks:
    async def test_an_editor_is_403_and_a_stranger_404(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI
    ) -> None:
        owner, editor, workspace = await team_with(hooks, hooks_app, "editor")
        hook = await make_webhook(hooks, owner.headers, workspace, URL)
        stranger = await token_user(hooks_app)
        base = f"/workspaces/{workspace}/webhooks"
        calls: list[tuple[str, str, Any]] = [
            ("GET", base, None),
            ("POST", base, {"url": URL, "events": ["*"]}),
            ("GET", f"{base}/{hook['id']}", None),
            ("PATCH", f"{base}/{hook['id']}", {"active": False}),
            ("DELETE", f"{base}/{hook['id']}", None),
            ("GET", f"{base}/{hook['id']}/deliveries", None),
        ]
        for method, path, body in calls:
            mine = await hooks.request(method, path, json=body, headers=editor.headers)
            assert mine.status_code == 403, (method, path)
            theirs = await hooks.request(method, path, json=body, headers=stranger.headers)
            assert theirs.status_code == 404, (method, path)
            assert theirs.json()["detail"] == "Workspace not found"

    async def test_an_admin_manages_them(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI
    ) -> None:
        _owner, admin, workspace = await team_with(hooks, hooks_app, "admin")
        hook = await make_webhook(hooks, admin.headers, workspace, URL)
        listed = await hooks.get(f"/workspaces/{workspace}/webhooks", headers=admin.headers)
        assert [item["id"] for item in listed.json()["items"]] == [hook["id"]]


class TestUpdateAndDeleteWebhook:
    async def test_changes_what_is_sent_and_is_gone_once_deleted(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI
    ) -> None:
        user = await token_user(hooks_app)
        workspace = await personal_workspace(hooks, user.headers)
        hook = await make_webhook(hooks, user.headers, workspace, URL, description="old")
        path = f"/workspaces/{workspace}/webhooks/{hook['id']}"
        changed = await hooks.patch(
            path,
            json={
                "url": "http://127.0.0.1:9/other",
                "events": ["task.updated"],
                "description": None,
                "active": False,
            },
            headers=user.headers,
        )
        assert changed.status_code == 200, changed.text
        assert changed.json() | {"id": hook["id"]} == {
            "id": hook["id"],
            "url": "http://127.0.0.1:9/other",
            "events": ["task.updated"],
            "description": None,
            "active": False,
            "created_at": hook["created_at"],
        }
        assert (
            await hooks.patch(path, json={"secret": "x"}, headers=user.headers)
        ).status_code == 422
        assert (await hooks.delete(path, headers=user.headers)).status_code == 204
        for method in ("GET", "PATCH", "DELETE"):
            gone = await hooks.request(
                method, path, json={} if method == "PATCH" else None, headers=user.headers
            )
            assert gone.status_code == 404
            assert gone.json()["detail"] == "Webhook not found"
        listed = await hooks.get(f"/workspaces/{workspace}/webhooks", headers=user.headers)
        assert listed.json()["total"] == 0

    async def test_another_workspaces_webhook_is_404(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI
    ) -> None:
        user = await token_user(hooks_app)
        workspace = await personal_workspace(hooks, user.headers)
        hook = await make_webhook(hooks, user.headers, workspace, URL)
        team = (await hooks.post("/workspaces", json={"name": "T"}, headers=user.headers)).json()[
            "id"
        ]
        for path in (f"/workspaces/{team}/webhooks/{hook['id']}", f"/workspaces/{team}/webhooks/x"):
            assert (await hooks.get(path, headers=user.headers)).status_code == 404


class TestOutbox:
    async def test_an_event_is_written_with_its_change_and_rolled_back_with_it(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI
    ) -> None:
        user = await token_user(hooks_app)
        workspace = personal_workspace_id(user.id)
        hook = await make_webhook(hooks, user.headers, str(workspace), URL, ["note.created"])
        access = Access(Principal(user.id), workspace, "editor")
        database = hooks_app.state.database

        async def queued() -> list[str]:
            async with database.read_session() as session:
                statement = select(WebhookEvent.body).where(
                    WebhookEvent.webhook_id == uuid.UUID(hook["id"])
                )
                return [
                    json.loads(body)["data"]["title"] for body in await session.scalars(statement)
                ]

        async with database.write_session() as session:
            await create_note(session, access=access, data=NoteCreate(title="Rolled back"))
            await session.rollback()
        assert await queued() == []
        async with database.write_session() as session:
            await create_note(session, access=access, data=NoteCreate(title="Kept"))
            await session.commit()
        assert await queued() == ["Kept"]
        path = f"/workspaces/{workspace}/webhooks/{hook['id']}"
        assert (await hooks.delete(path, headers=user.headers)).status_code == 204
