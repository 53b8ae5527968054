"""What wakes live streams when a workspace changes, in every process (API.md §8).

A committed write notes the workspaces it touched (`gate.touched`); once durable,
this process's streams of those workspaces wake at once, and the others hear of it:

- PostgreSQL: `NOTIFY teamnotes_changes, '<workspace id>'`, sent after the commit
  (never inside the transaction, where NOTIFY would serialise every commit) on a
  connection of its own, which also LISTENs for the other processes' notices;
- Redis (`TEAMNOTES_REDIS_URL`): the same through pub/sub;
- SQLite, where every process shares one file: a poll of the watched workspaces'
  positions, a few times a second, one indexed read for all of them.

The poll also runs beside a push transport, slowly, as the safety net of a notice
lost while a connection was down: a stream then wakes a few seconds late, never
not at all. Waking only makes a stream read the feed from its cursor, so a wake
too many costs a read, and none can make it skip a change.
"""

import asyncio
import logging
import uuid
from collections.abc import Iterable
from contextlib import suppress
from typing import Any, Protocol, cast

from sqlalchemy import Table, select

from teamnotes.kit.db import Database
from teamnotes.workspaces.gate import TOUCHED
from teamnotes.workspaces.models import Workspace

log = logging.getLogger("teamnotes.changes")

CHANNEL = "teamnotes_changes"
FAST_POLL = 0.25
SLOW_POLL = 5.0
_RETRY = 2.0

_w = cast(Table, Workspace.__table__).c


class Transport(Protocol):
    connected: bool

    async def run(self, heard: "Wakeups") -> None:
        """Deliver other processes' notices to `heard.wake` until cancelled."""

    async def publish(self, workspace_ids: list[str]) -> None: ...

    async def close(self) -> None: ...


class Wakeups:
    def __init__(self, database: Database, transport: Transport | None) -> None:
        self.database = database
        self.transport = transport
        self._watchers: dict[uuid.UUID, set[asyncio.Event]] = {}
        self._positions: dict[uuid.UUID, int] = {}
        self._pending: set[uuid.UUID] = set()
        self._tasks: list[asyncio.Task[None]] = []
        database.on_commit(self._committed)

    def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._poll_forever()))
        if self.transport is not None:
            self._tasks.append(asyncio.create_task(self._listen_forever(self.transport)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self.transport is not None:
            await self.transport.close()

    def watch(self, workspace_id: uuid.UUID) -> asyncio.Event:
        event = asyncio.Event()
        self._watchers.setdefault(workspace_id, set()).add(event)
        return event

    def unwatch(self, workspace_id: uuid.UUID, event: asyncio.Event) -> None:
        watchers = self._watchers.get(workspace_id)
        if watchers is not None:
            watchers.discard(event)
            if not watchers:
                del self._watchers[workspace_id]
                self._positions.pop(workspace_id, None)

    def wake(self, workspace_ids: Iterable[uuid.UUID]) -> None:
        for workspace_id in workspace_ids:
            for event in self._watchers.get(workspace_id, ()):
                event.set()

    def wake_all(self) -> None:
        """Every stream looks again (after notices may have been missed)."""
        self.wake(list(self._watchers))

    def _committed(self, info: dict[Any, Any]) -> None:
        touched: set[uuid.UUID] | None = info.get(TOUCHED)
        if not touched:
            return
        self.wake(touched)
        if self.transport is None:
            return
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending |= touched

    def _flush(self) -> None:
        """Publish what commits noted since the last turn of the loop, in one notice."""
        assert self.transport is not None
        pending, self._pending = sorted(map(str, self._pending)), set()
        task = asyncio.get_running_loop().create_task(self._publish(self.transport, pending))
        self._tasks.append(task)
        task.add_done_callback(self._tasks.remove)

    @staticmethod
    async def _publish(transport: Transport, workspace_ids: list[str]) -> None:
        try:
            await transport.publish(workspace_ids)
        except Exception as error:  # the poll makes up for it
            log.warning("could not publish a change notice: %s", error)

    async def _listen_forever(self, transport: Transport) -> None:
        while True:
            try:
                await transport.run(self)
            except Exception as error:
                log.warning("change notices interrupted, retrying: %s", error)
            transport.connected = False
            await asyncio.sleep(_RETRY)

    async def _poll_forever(self) -> None:
        while True:
            connected = self.transport is not None and self.transport.connected
            await asyncio.sleep(SLOW_POLL if connected else FAST_POLL)
            if self._watchers:
                try:
                    await self._poll()
                except Exception as error:
                    log.warning("could not poll workspaces for changes: %s", error)

    async def _poll(self) -> None:
        watched = list(self._watchers)
        statement = select(_w.id, _w.change_seq).where(_w.id.in_(watched))
        async with self.database.read_session() as session:
            rows = (await session.execute(statement)).all()
        found = {row.id: int(row.change_seq) for row in rows}
        changed = [
            workspace_id
            for workspace_id in watched
            if workspace_id in self._positions
            and found.get(workspace_id) != self._positions[workspace_id]
        ]
        # A workspace gone (deleted) reads as -1: its streams wake once, and end.
        self._positions = {workspace_id: found.get(workspace_id, -1) for workspace_id in watched}
        self.wake(changed)
