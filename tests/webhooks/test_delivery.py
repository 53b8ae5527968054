"""Events reach a real receiver on loopback, signed per Standard Webhooks (API.md §12)."""

import asyncio

import httpx
from fastapi import FastAPI
from standardwebhooks.webhooks import Webhook as Verifier

from tests.factories import token_user
from tests.webhooks.conftest import make_webhook, personal_workspace
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import deliveries


class TestEvents:
    async def test_every_change_arrives_signed_with_the_item_as_get_returns_it(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI, receiver: Receiver
    ) -> None:
        user = await token_user(hooks_app)
        workspace = await personal_workspace(hooks, user.headers)
        hook = await make_webhook(hooks, user.headers, workspace, f"{receiver.url}/hook")
        assert hook["secret"].startswith("whsec_")

        note = (await hooks.post("/notes", json={"title": "Hello"}, headers=user.headers)).json()
        updated = (
            await hooks.patch(f"/notes/{note['id']}", json={"title": "Hi"}, headers=user.headers)
        ).json()
        assert (await hooks.delete(f"/notes/{note['id']}", headers=user.headers)).status_code == 204
        task = (await hooks.post("/tasks", json={"title": "Do"}, headers=user.headers)).json()

        received = await receiver.wait_for(4)
        verifier = Verifier(hook["secret"])
        events = {}
        for request in received:
            assert request.path == "/hook"
            assert request.headers["content-type"] == "application/json"
            event = verifier.verify(request.body, request.headers)  # raises unless signed right
            assert request.headers["webhook-id"] == event["id"]
            assert set(event) == {"id", "type", "created_at", "workspace_id", "data"}
            assert event["workspace_id"] == workspace
            assert event["created_at"].endswith("Z")
            events[event["type"]] = event["data"]
        assert events == {
            "note.created": note,
            "note.updated": updated,
            "note.deleted": {"id": note["id"]},
            "task.created": task,
        }
        ids = {request.headers["webhook-id"] for request in received}
        assert len(ids) == 4

        recorded = await deliveries(hooks, user.headers, workspace, hook["id"], 4)
        assert {d["status_code"] for d in recorded} == {204}
        first = recorded[0]
        fields = "id event_id type attempt status_code error duration_ms attempted_at"
        assert set(first) == set(fields.split())
        assert first["attempt"] == 1
        assert first["error"] is None
        stamps = [delivery["attempted_at"] for delivery in recorded]
        assert stamps == sorted(stamps, reverse=True)  # newest first

    async def test_only_the_subscribed_types_are_sent(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI, receiver: Receiver
    ) -> None:
        user = await token_user(hooks_app)
        workspace = await personal_workspace(hooks, user.headers)
        await make_webhook(hooks, user.headers, workspace, receiver.url, ["task.created"])
        await hooks.post("/notes", json={"title": "not sent"}, headers=user.headers)
        await hooks.post("/tasks", json={"title": "sent"}, headers=user.headers)
        [request] = await receiver.wait_for(1)
        assert request.event["type"] == "task.created"
        await asyncio.sleep(0.3)  # nothing else is on its way
        assert len(receiver.received) == 1

    async def test_the_request_goes_to_the_vetted_address_under_its_name(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI, receiver: Receiver
    ) -> None:
        # `receiver.test` resolves only through the service's own resolver (to
        # 127.0.0.1 in tests): a second lookup by anyone else would fail.
        user = await token_user(hooks_app)
        workspace = await personal_workspace(hooks, user.headers)
        url = f"http://receiver.test:{receiver.port}/in"
        await make_webhook(hooks, user.headers, workspace, url)
        await hooks.post("/notes", json={"title": "by name"}, headers=user.headers)
        [request] = await receiver.wait_for(1)
        assert request.headers["host"] == f"receiver.test:{receiver.port}"
        assert request.path == "/in"
