"""Live events (API.md §8): a workspace's changes as Server-Sent Events.

A stream is the feed, followed: on every wake (a commit anywhere in the deployment
touched the workspace, see `wakeups`) it reads the feed from its cursor and sends
what is new, each change with the cursor just after it as its `id`, so that a
client resumes with `Last-Event-ID` and misses nothing. Between wakes it holds no
database connection, only an event to wait on; every keepalive it says so, and
looks again (which is also how it notices lost access within one keepalive when no
commit wakes it). It ends when the caller may no longer read the workspace, when
the bearer token expires, and when the server shuts down.
"""

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi.responses import StreamingResponse

from teamnotes.changes import cursor as cursors
from teamnotes.changes.feed import ResyncRequired, changes_between, feed_state
from teamnotes.changes.streams import StreamSlots
from teamnotes.changes.wakeups import Wakeups
from teamnotes.kit.db import Database
from teamnotes.kit.errors import AppError
from teamnotes.workspaces.gate import Access

_BATCH = 100
_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


class EventHub:
    """This process's live streams."""

    def __init__(
        self, database: Database, wakeups: Wakeups, *, keepalive: float, per_user: int
    ) -> None:
        self.database = database
        self.wakeups = wakeups
        self.keepalive = keepalive
        self.slots = StreamSlots(
            database, per_user=per_user, lease=timedelta(seconds=max(3 * keepalive, 30))
        )
        self.closing = False
        self._renewer: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.wakeups.start()
        self._renewer = asyncio.create_task(self._renew_forever())
        _end_streams_on_signals(self, asyncio.get_running_loop())

    async def stop(self) -> None:
        self.close_streams()
        if self._renewer is not None:
            self._renewer.cancel()
            with suppress(asyncio.CancelledError):
                await self._renewer
        await self.wakeups.stop()

    def close_streams(self) -> None:
        """Every open stream ends (the server is going down)."""
        self.closing = True
        self.wakeups.wake_all()

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.keepalive)
            with suppress(Exception):  # a lease lives three keepalives: one miss is fine
                await self.slots.renew()

    async def open(self, access: Access, resume: str | None, *, field: str) -> StreamingResponse:
        """A stream from `resume` (a cursor), or from now on; errors before it opens."""
        async with self.database.read_session() as session:
            latest, horizon = await feed_state(session, access)
        if resume is None:
            position = latest
        else:
            try:
                position = cursors.decode(resume, access.workspace_id)
            except cursors.CursorInvalid as error:
                error.field = field
                raise
            if position < horizon:
                raise ResyncRequired()
        slot = await self.slots.take(access.user_id)
        body = self._stream(access, position, slot)
        return StreamingResponse(body, media_type="text/event-stream", headers=_HEADERS)

    async def _stream(self, access: Access, position: int, slot: Any) -> AsyncIterator[bytes]:
        follower = _Follower(access, position)
        wake = self.wakeups.watch(access.workspace_id)
        expires = access.principal.expires_at
        try:
            yield b"retry: 2000\n\n"
            while not self.closing:
                wake.clear()
                async for event in self._ready(follower):
                    yield event
                left = self.keepalive if expires is None else expires - time.time()
                if left <= 0:
                    return  # the token expired: the client comes back with a fresh one
                try:
                    await asyncio.wait_for(wake.wait(), min(left, self.keepalive))
                except TimeoutError:
                    yield b": keepalive\n\n"
        except AppError:
            return  # no longer allowed to read the workspace (or the account is gone)
        finally:
            self.wakeups.unwatch(access.workspace_id, wake)
            with suppress(Exception):
                await asyncio.shield(self.slots.give_back(slot))

    async def _ready(self, follower: "_Follower") -> AsyncIterator[bytes]:
        """The changes after the follower's position that are committed now, as events."""
        access = follower.access
        while True:
            async with self.database.read_session() as session:
                latest, _horizon = await feed_state(session, access)
                changes = await changes_between(
                    session, access.workspace_id, follower.position, latest, _BATCH + 1
                )
            for change in changes[:_BATCH]:
                follower.position = change.seq
                cursor = cursors.encode(access.workspace_id, change.seq)
                yield f"id: {cursor}\nevent: change\ndata: {change.model_dump_json()}\n\n".encode()
            if len(changes) <= _BATCH:
                return


@dataclass
class _Follower:
    access: Access
    position: int


def _end_streams_on_signals(hub: EventHub, loop: asyncio.AbstractEventLoop) -> None:
    """Let SIGTERM and SIGINT end the streams as well as whatever handles them.

    uvicorn waits for open responses before it lets its workers go, and a stream
    never finishes on its own: without this, every shutdown would wait out its full
    timeout. Only a server's own handlers are wrapped (uvicorn's), not the defaults.
    """
    for number in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(number)
        if not callable(previous) or previous is signal.default_int_handler:
            continue

        def handle(signum: int, frame: Any, previous: Any = previous) -> None:
            loop.call_soon_threadsafe(hub.close_streams)
            previous(signum, frame)

        with suppress(ValueError):  # not the main thread
            signal.signal(number, handle)
