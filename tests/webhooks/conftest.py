"""An app that may call loopback (TEAMNOTES_WEBHOOKS_ALLOW_PRIVATE=true), retrying
quickly, and a real receiver for each test.

The app works on a database of its own: every process on a database delivers its
events (as every process of a deployment does), and the other apps of the test run,
configured otherwise, would take a share of them."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import client_of, migrate, new_database, running_app
from tests.webhooks.receiver import Receiver

QUICK = {
    "webhooks_allow_private": True,
    "webhooks_first_retry": 0.2,
    "webhooks_poll_interval": 0.1,
    "webhooks_timeout": 5.0,
}


@asynccontextmanager
async def own_database(like: str, directory: Path) -> AsyncIterator[str]:
    """A migrated database of the same engine as `like`, for one app alone."""
    engine = "sqlite" if like.startswith("sqlite") else "postgresql"
    async with new_database(engine, directory) as url:
        await migrate(url)
        yield url


@pytest.fixture(scope="module")
async def hooks_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    async with (
        own_database(database_url, tmp_path_factory.mktemp("hooks")) as url,
        running_app(url, tmp_path_factory, **QUICK) as application,
    ):
        yield application


@pytest.fixture
async def hooks(hooks_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(hooks_app) as http:
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
