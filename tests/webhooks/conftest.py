"""An app that may call loopback (TEAMNOTES_WEBHOOKS_ALLOW_PRIVATE=true), retrying
quickly, and a real receiver for each test."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import running_app
from tests.webhooks.receiver import Receiver

QUICK = {
    "webhooks_allow_private": True,
    "webhooks_first_retry": 0.2,
    "webhooks_poll_interval": 0.1,
    "webhooks_timeout": 1.0,
}


@pytest.fixture(scope="module")
async def hooks_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    async with running_app(database_url, tmp_path_factory, **QUICK) as application:
        yield application


@pytest.fixture
async def hooks(hooks_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=hooks_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver() as running:
        yield running


async def make_webhook(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    workspace_id: str,
    url: str,
    events: list[str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    body = {"url": url, "events": events or ["*"], **fields}
    response = await client.post(f"/workspaces/{workspace_id}/webhooks", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def personal_workspace(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    listed = await client.get("/workspaces", headers=headers)
    return str(listed.json()["items"][0]["id"])
