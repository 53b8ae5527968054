"""Only public addresses are called (API.md §12): refused at creation with 422, and
again at delivery, when a name has started to resolve elsewhere since.

These run on the default app (TEAMNOTES_WEBHOOKS_ALLOW_PRIVATE unset), with the
service's resolver replaced: no request ever leaves this machine, because every
address a test lets through is one it later points back at loopback, before any
event exists."""

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.webhooks import addresses
from tests.factories import token_user
from tests.webhooks.conftest import make_webhook, personal_workspace
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import deliveries

PUBLIC = "93.184.215.14"


def resolving(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError("no such name")
        return answers[host]

    monkeypatch.setattr(addresses, "resolve", resolve)


class TestAtCreation:
    @pytest.mark.parametrize(
        "found",
        [
            ["127.0.0.1"],
            ["10.1.2.3"],
            ["172.16.0.9"],
            ["192.168.1.1"],
            ["169.254.169.254"],
            ["::1"],
            ["fe80::1"],
            ["fc00::5"],
            ["0.0.0.0"],  # noqa: S104 (an answer of the resolver, bound to nothing)
            ["224.0.0.1"],
            ["::ffff:127.0.0.1"],
            [PUBLIC, "10.0.0.1"],  # one bad address is enough
        ],
    )
    async def test_a_name_that_resolves_to_a_private_address_is_422(
        self,
        client: httpx.AsyncClient,
        app: FastAPI,
        monkeypatch: pytest.MonkeyPatch,
        found: list[str],
    ) -> None:
        resolving(monkeypatch, {"hooks.example.com": found})
        user = await token_user(app)
        workspace = await personal_workspace(client, user.headers)
        response = await client.post(
            f"/workspaces/{workspace}/webhooks",
            json={"url": "https://hooks.example.com/in", "events": ["*"]},
            headers=user.headers,
        )
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "url"
        assert response.json()["error_code"] == "validation_error"

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8080/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://localhost/",
            "ftp://files.example.com/",
            "/relative",
            "http://user:pass@hooks.example.com/",
            "http://unknown.example.com/",
        ],
    )
    async def test_literal_private_addresses_and_bad_urls_are_422(
        self, client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch, url: str
    ) -> None:
        literals = ["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1"]
        answers = {literal: [literal] for literal in literals}
        answers |= {"localhost": ["127.0.0.1", "::1"], "hooks.example.com": [PUBLIC]}
        resolving(monkeypatch, answers)
        user = await token_user(app)
        workspace = await personal_workspace(client, user.headers)
        response = await client.post(
            f"/workspaces/{workspace}/webhooks",
            json={"url": url, "events": ["*"]},
            headers=user.headers,
        )
        assert response.status_code == 422, (url, response.text)
        assert response.json()["field"] == "url"

    async def test_a_change_to_a_private_url_is_422_too(
        self, client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        resolving(
            monkeypatch, {"hooks.example.com": [PUBLIC], "internal.example.com": ["10.9.8.7"]}
        )
        user = await token_user(app)
        workspace = await personal_workspace(client, user.headers)
        hook = await make_webhook(client, user.headers, workspace, "https://hooks.example.com/in")
        path = f"/workspaces/{workspace}/webhooks/{hook['id']}"
        changed = await client.patch(
            path, json={"url": "https://internal.example.com/"}, headers=user.headers
        )
        assert changed.status_code == 422
        assert (await client.get(path, headers=user.headers)).json()["url"] == hook["url"]
        assert (await client.delete(path, headers=user.headers)).status_code == 204


class TestAtDelivery:
    async def test_a_name_resolving_to_loopback_since_is_not_called(
        self, client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        async with Receiver() as receiver:
            user = await token_user(app)
            workspace = await personal_workspace(client, user.headers)
            resolving(monkeypatch, {"rebind.example.com": [PUBLIC]})
            url = f"http://rebind.example.com:{receiver.port}/in"
            hook = await make_webhook(client, user.headers, workspace, url)
            # The name now points at this machine, where the receiver listens.
            resolving(monkeypatch, {"rebind.example.com": ["127.0.0.1"]})
            await client.post("/notes", json={"title": "Rebound"}, headers=user.headers)
            [attempt] = await deliveries(client, user.headers, workspace, hook["id"], 1)
            assert attempt["status_code"] is None
            assert attempt["error"].startswith("not called: the URL resolves to a loopback")
            assert receiver.received == []
            path = f"/workspaces/{workspace}/webhooks/{hook['id']}"
            assert (await client.delete(path, headers=user.headers)).status_code == 204
