"""Clients that can hold a stream open in-process, and apps tuned for streams."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.changes.sse import StreamingASGITransport
from tests.conftest import running_app
from tests.factories import User, token_user

KEEPALIVE = 0.2


def streaming_client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=StreamingASGITransport(app), base_url="http://testserver")


@pytest.fixture
async def live(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the shared app whose responses stream as the app sends them."""
    async with streaming_client(app) as http:
        yield http


@pytest.fixture(scope="session")
async def brisk_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    """An app on the same database whose streams keep alive every KEEPALIVE seconds,
    two per user."""
    async with running_app(
        database_url, tmp_path_factory, sse_keepalive=KEEPALIVE, sse_streams_per_user=2
    ) as application:
        yield application


@pytest.fixture
async def brisk(brisk_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with streaming_client(brisk_app) as http:
        yield http


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)
