"""The PostgreSQL phase's own database: created fresh on the server that
BENCH_POSTGRES_URL names, dropped afterwards whatever happens."""

import asyncio
import contextlib
import os
import re
import secrets
import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from .shared import log


def admin_url() -> str:
    """The maintenance database, connected to in order to create and drop our own."""
    return os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


# Quoted: asyncpg.Connection is generic in its stubs only.
async def _admin_connection() -> "asyncpg.Connection[asyncpg.Record]":
    parts = urlsplit(admin_url())
    return await asyncpg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        database=parts.path.lstrip("/") or "postgres",
        timeout=10,
    )


async def _execute(statement: str) -> None:
    connection = await _admin_connection()
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _fetch_column(query: str) -> list[str]:
    connection = await _admin_connection()
    try:
        return [str(row[0]) for row in await connection.fetch(query)]
    finally:
        await connection.close()


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database, dropped afterwards whatever happens; stale ones of crashed
    runs (no connections, older than 20 minutes) are dropped first."""
    stale = asyncio.run(
        _fetch_column(
            "SELECT datname FROM pg_database WHERE datname LIKE 'teamnotes_bench_%' "
            "AND datname NOT IN (SELECT datname FROM pg_stat_activity "
            "WHERE datname IS NOT NULL)"
        )
    )
    for database in stale:
        match = re.fullmatch(r"teamnotes_bench_(\d+)_[0-9a-f]+", database)
        if match and time.time() - int(match[1]) > 1200:
            asyncio.run(_execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    name = f"teamnotes_bench_{int(time.time())}_{secrets.token_hex(4)}"
    asyncio.run(_execute(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        asyncio.run(_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        log(f"postgresql: dropped database {name}")


def postgres_version() -> str:
    try:
        return asyncio.run(_fetch_column("SELECT version()"))[0].split(" on ")[0]
    except Exception as error:  # the report says why instead of stopping the run
        return f"unreachable ({error})"
