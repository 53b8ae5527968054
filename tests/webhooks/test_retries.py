"""What a failing receiver gets (API.md §12): retries with growing delays, no redirects
followed, a timeout, every attempt recorded, and a webhook turned off in the end."""

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import client_of, running_app
from tests.factories import token_user
from tests.webhooks.conftest import QUICK, make_webhook, own_database, personal_workspace
from tests.webhooks.receiver import Answer, Receiver
from tests.webhooks.support import deliveries


class TestRetries:
    async def test_a_500_is_tried_again_until_it_is_taken(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI, receiver: Receiver
    ) -> None:
        user = await token_user(hooks_app)
        workspace = await personal_workspace(hooks, user.headers)
        hook = await make_webhook(hooks, user.headers, workspace, receiver.url)
        receiver.answers.extend([Answer(500), Answer(503)])
        await hooks.post("/notes", json={"title": "Persistent"}, headers=user.headers)

        received = await receiver.wait_for(3)
        assert len({request.headers["webhook-id"] for request in received}) == 1
        recorded = await deliveries(hooks, user.headers, workspace, hook["id"], 3)
        assert [(d["attempt"], d["status_code"]) for d in recorded] == [
            (3, 204),
            (2, 503),
            (1, 500),
        ]
        assert recorded[2]["error"] == "answered 500"
        assert recorded[0]["error"] is None
        assert len({d["event_id"] for d in recorded}) == 1

    async def test_a_refused_connection_is_tried_again(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI
    ) -> None:
        user = await token_user(hooks_app)
        workspace = await personal_workspace(hooks, user.headers)
        later = Receiver()  # its port is free: nothing answers yet
        hook = await make_webhook(hooks, user.headers, workspace, later.url)
        await hooks.post("/notes", json={"title": "Early"}, headers=user.headers)
        [refused] = await deliveries(hooks, user.headers, workspace, hook["id"], 1)
        assert refused["status_code"] is None
        assert refused["error"]
        async with later:
            [request] = await later.wait_for(1)
        assert request.event["type"] == "note.created"

    async def test_a_redirect_is_a_failure_and_is_not_followed(
        self, hooks: httpx.AsyncClient, hooks_app: FastAPI, receiver: Receiver
    ) -> None:
        user = await token_user(hooks_app)
        workspace = await personal_workspace(hooks, user.headers)
        hook = await make_webhook(hooks, user.headers, workspace, f"{receiver.url}/here")
        receiver.answers.append(Answer(307, {"Location": f"{receiver.url}/elsewhere"}))
        await hooks.post("/notes", json={"title": "Moved?"}, headers=user.headers)
        received = await receiver.wait_for(2)
        assert [request.path for request in received] == ["/here", "/here"]  # the retry
        recorded = await deliveries(hooks, user.headers, workspace, hook["id"], 2)
        assert recorded[1]["status_code"] == 307
        assert "redirects are not followed" in recorded[1]["error"]


class TestTimeout:
    async def test_a_receiver_slower_than_the_timeout_fails_the_attempt(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
    ) -> None:
        async with (
            own_database(database_url, tmp_path_factory.mktemp("timeout")) as url,
            running_app(url, tmp_path_factory, **{**QUICK, "webhooks_timeout": 0.5}) as app,
            client_of(app) as client,
        ):
            user = await token_user(app)
            workspace = await personal_workspace(client, user.headers)
            hook = await make_webhook(client, user.headers, workspace, receiver.url)
            receiver.answers.append(Answer(204, delay=1.5))
            await client.post("/notes", json={"title": "Slow"}, headers=user.headers)
            recorded = await deliveries(client, user.headers, workspace, hook["id"], 2)
        assert recorded[1]["status_code"] is None
        assert recorded[1]["error"] == "timed out after 0.5 s"
        assert recorded[0]["status_code"] == 204


class TestGivingUp:
    async def test_events_failed_for_good_in_a_row_turn_the_webhook_off(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
    ) -> None:
        settings = {**QUICK, "webhooks_retry_for": 0, "webhooks_disable_after": 2}
        async with (
            own_database(database_url, tmp_path_factory.mktemp("giving-up")) as url,
            running_app(url, tmp_path_factory, **settings) as app,
            client_of(app) as client,
        ):
            user = await token_user(app)
            workspace = await personal_workspace(client, user.headers)
            hook = await make_webhook(client, user.headers, workspace, receiver.url)
            path = f"/workspaces/{workspace}/webhooks/{hook['id']}"
            receiver.default = Answer(500)
            for number in range(2):
                await client.post("/notes", json={"title": f"{number}"}, headers=user.headers)
                await deliveries(client, user.headers, workspace, hook["id"], number + 1)
            assert (await client.get(path, headers=user.headers)).json()["active"] is False
            # Off, it records nothing more.
            await client.post("/notes", json={"title": "unheard"}, headers=user.headers)
            assert len(await receiver.wait_for(2)) == 2

            # Back on, with its count cleared: one more failure does not turn it off.
            back = await client.patch(path, json={"active": True}, headers=user.headers)
            assert back.json()["active"] is True
            await client.post("/notes", json={"title": "again"}, headers=user.headers)
            await deliveries(client, user.headers, workspace, hook["id"], 3)
            assert (await client.get(path, headers=user.headers)).json()["active"] is True
        assert len(receiver.received) == 3
