"""How processes tell each other that workspaces changed: PostgreSQL or Redis."""

import asyncio
import uuid
from typing import Any

import coredis
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from teamnotes.changes.wakeups import CHANNEL, Transport, Wakeups


def _ids(payloads: list[str]) -> list[uuid.UUID]:
    found = []
    for payload in payloads:
        try:
            found.append(uuid.UUID(payload))
        except ValueError:
            continue  # not ours
    return found


class PostgresNotices:
    """LISTEN/NOTIFY on a connection of its own (not one of the request pool's)."""

    def __init__(self, url: str) -> None:
        self._engine = create_async_engine(url, poolclass=NullPool)
        self._connection: Any = None
        self._sending = asyncio.Lock()
        self.connected = False

    async def run(self, heard: Wakeups) -> None:
        async with self._engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            lost = asyncio.Event()
            driver.add_termination_listener(lambda _connection: lost.set())
            await driver.add_listener(
                CHANNEL, lambda _c, _pid, _channel, payload: heard.wake(_ids([payload]))
            )
            self._connection, self.connected = driver, True
            # What changed while this connection was down is the poll's to find.
            heard.wake_all()
            try:
                await lost.wait()
            finally:
                self._connection, self.connected = None, False

    async def publish(self, workspace_ids: list[str]) -> None:
        connection = self._connection
        if connection is None:
            return
        async with self._sending:
            await connection.execute(
                "SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id", CHANNEL, workspace_ids
            )

    async def close(self) -> None:
        await self._engine.dispose()


class RedisNotices:
    """Pub/sub on `TEAMNOTES_REDIS_URL`."""

    def __init__(self, url: str) -> None:
        self._client: Any = coredis.Redis.from_url(url, decode_responses=True)
        self.connected = False

    async def run(self, heard: Wakeups) -> None:
        async with self._client.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(CHANNEL)
            self.connected = True
            heard.wake_all()
            try:
                async for message in pubsub:
                    if message["type"] == "message":
                        heard.wake(_ids([message["data"]]))
            finally:
                self.connected = False

    async def publish(self, workspace_ids: list[str]) -> None:
        for workspace_id in workspace_ids:
            await self._client.publish(CHANNEL, workspace_id)

    async def close(self) -> None:
        self._client.connection_pool.disconnect()


def transport_for(database_url: str, redis_url: str | None) -> Transport | None:
    """Redis when configured, else PostgreSQL's own notices; SQLite polls (None)."""
    if redis_url:
        return RedisNotices(redis_url)
    if database_url.startswith("postgresql"):
        return PostgresNotices(database_url)
    return None
