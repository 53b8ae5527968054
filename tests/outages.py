"""What the fault tests share: an app of their own, and what a 503 must look like."""

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from fastapi import FastAPI

from teamnotes.app import create_app
from tests.conftest import make_settings
from tests.factories import User, token_user


@dataclass
class Service:
    """An app on a database of the test's choosing, a client, and a user of it."""

    app: FastAPI
    client: httpx.AsyncClient
    user: User

    async def list_notes(self) -> httpx.Response:
        return await self.client.get("/notes", headers=self.user.headers)

    async def create_note(self, title: str = "A note") -> httpx.Response:
        return await self.client.post("/notes", json={"title": title}, headers=self.user.headers)


@asynccontextmanager
async def serving(
    url: str, data_dir: Path, *, user: User | None = None, **overrides: object
) -> AsyncIterator[Service]:
    """An app on `url` with a user of it (or `user`, made on another database)."""
    application = create_app(make_settings(url, data_dir, **overrides))
    transport = httpx.ASGITransport(app=application)
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
    ):
        yield Service(application, http, user or await token_user(application))


async def user_of(url: str, data_dir: Path) -> User:
    """A user with an account in the database at `url` (tokens hold on every app)."""
    application = create_app(make_settings(url, data_dir))
    try:
        return await token_user(application)
    finally:
        await application.state.database.dispose()


def assert_unavailable(response: httpx.Response) -> None:
    """503 in the contract's error body, with a Retry-After of a few seconds."""
    assert response.status_code == 503, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 5
    assert response.json() == {
        "detail": "Service unavailable",
        "error_code": "service_unavailable",
        "field": None,
        "request_id": response.headers["X-Request-ID"],
    }


@contextmanager
def captured_log(name: str) -> Iterator[list[logging.LogRecord]]:
    """The records of the logger `name` while the block runs."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
