"""Every test that touches storage runs on SQLite and on PostgreSQL.

Each run makes its own databases, builds them with the migrations (never
`create_all`), and drops them at the end. Tests stay independent by owning their
data: each one registers fresh users, and every row is scoped to its owner, so no
test sees another's rows. (The API commits before it answers, and several tests
fire concurrent requests, so wrapping each test in a rolled-back transaction would
test something other than what clients get.)
"""

import asyncio
import logging
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from teamnotes.app import create_app
from teamnotes.config import Settings
from teamnotes.migrations import migration_engine, upgrade_to_head
from teamnotes.webhooks import addresses

if TYPE_CHECKING:
    from tests.servers import Servers

POSTGRES_URL = os.environ.get(
    "TEAMNOTES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
TEST_SECRET = secrets.token_urlsafe(48)
BACKENDS = ["sqlite", "postgresql"]


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _loopback(host: str, port: int) -> list[str]:
    return ["127.0.0.1"]


@pytest.fixture(scope="session", autouse=True)
def webhooks_stay_on_this_machine() -> Iterator[None]:
    """Every name a webhook URL names resolves to 127.0.0.1 in tests (which refuse it
    unless TEAMNOTES_WEBHOOKS_ALLOW_PRIVATE is on): no test, generated ones included,
    can make the server call anything beyond loopback."""
    addresses.resolve = _loopback
    try:
        yield
    finally:
        addresses.resolve = addresses.system_resolve


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this run, dropped afterwards."""
    name = f"teamnotes_test_{secrets.token_hex(6)}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(POSTGRES_URL)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(POSTGRES_URL, name)
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def migrate(url: str) -> None:
    engine = migration_engine(url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database of each engine, shared by the whole run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'teamnotes.db'}"
    else:
        url = request.getfixturevalue("postgres_server")
    asyncio.run(migrate(url))
    return url


@asynccontextmanager
async def new_database(engine: str, directory: Path) -> AsyncIterator[str]:
    """The URL of an empty database of one engine, with no schema yet: a file in
    `directory`, or a PostgreSQL database dropped afterwards."""
    if engine == "sqlite":
        yield f"sqlite:///{directory / 'teamnotes.db'}"
        return
    name = f"teamnotes_test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield _with_database(POSTGRES_URL, name)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "jwt_secret": TEST_SECRET,
        # No purges at moments of their own in tests that own rows of every age;
        # tests/test_housekeeping.py turns it on where it is the subject.
        "housekeeping_interval": 0,
        **overrides,
    }
    return Settings.model_validate(values)


@asynccontextmanager
async def running_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, **overrides: object
) -> AsyncIterator[FastAPI]:
    """Another app on the same database and secret, configured with `overrides`."""
    application = create_app(
        make_settings(database_url, tmp_path_factory.mktemp("data"), **overrides)
    )
    async with application.router.lifespan_context(application):
        yield application


@asynccontextmanager
async def client_of(application: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that speaks to `application` in-process."""
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@asynccontextmanager
async def another_process(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, **overrides: object
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of another app on the same database: what another process would answer."""
    async with (
        running_app(database_url, tmp_path_factory, **overrides) as application,
        client_of(application) as http,
    ):
        yield http


@pytest.fixture(scope="session")
async def app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    async with running_app(database_url, tmp_path_factory) as application:
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # A client address of its own, so that login-throttling counts (kept per
    # address) never carry over from one test to another.
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def logged() -> Iterator[list[logging.LogRecord]]:
    """Every record of the access and error logs while the test runs.

    On these loggers themselves: create_app replaces the handlers of `teamnotes`,
    and nothing under it propagates to the root logger that caplog watches.
    """
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    loggers = [logging.getLogger(name) for name in ("teamnotes.access", "teamnotes.errors")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@pytest.fixture(params=BACKENDS)
async def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database with no schema yet, of each engine."""
    async with new_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def servers(tmp_path: Path) -> Iterator["Servers"]:
    """Real `teamnotes serve` processes of the test's own, stopped at its end."""
    from tests.servers import Servers

    started = Servers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
