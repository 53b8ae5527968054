"""Live events (API.md §8): a workspace's changes as Server-Sent Events.

A stream is the feed, followed: on every wake (a commit anywhere in the deployment
touched the workspace, see `wakeups`) it reads the feed from its cursor and sends
what is new, each change with the cursor just after it as its `id`, so that a
client resumes with `Last-Event-ID` and misses nothing. Between wakes it holds no
database connection, only a flag to wait on; every keepalive it says so, and looks
again. Each look checks that the caller may still read the workspace: a change of
membership wakes the workspace's streams too, and the keepalive's look catches what
no wake announced (on SQLite with several processes, whose poll sees positions
only). It ends then, when the bearer token expires, and when the server shuts down.
"""

import asyncio
import logging
import signal
import time
import uuid
from collections.abc import Awaitable, Mapping
from contextlib import suppress
from datetime import timedelta
from typing import Any, TypeVar

from fastapi.responses import Response
from starlette.types import Receive, Scope, Send

from teamnotes.changes import cursor as cursors
from teamnotes.changes.feed import ResyncRequired, feed_state, read_after
from teamnotes.changes.schemas import Change
from teamnotes.changes.streams import StreamSlots
from teamnotes.changes.wakeups import Wakeups
from teamnotes.kit import unavailable
from teamnotes.kit.db import Database
from teamnotes.kit.errors import AppError, InvalidToken
from teamnotes.workspaces.gate import Access

log = logging.getLogger("teamnotes.changes")

_BATCH = 100
_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
T = TypeVar("T")


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
        self._stopping = asyncio.Event()
        self._renewer: asyncio.Task[None] | None = None
        self._unfinished: set[asyncio.Task[Any]] = set()

    def start(self) -> None:
        self.wakeups.start()
        self._renewer = asyncio.create_task(self._renew_forever())
        _end_streams_on_signals(self, asyncio.get_running_loop())

    async def stop(self) -> None:
        """End the streams, then wait for what they left running: never cut off a
        transaction mid-way, whose connection would be lost rather than returned."""
        self.close_streams()
        self._stopping.set()
        if self._renewer is not None:
            await self._renewer
        while self._unfinished:
            await asyncio.wait(list(self._unfinished))
        await self.wakeups.stop()

    def close_streams(self) -> None:
        """Every open stream ends (the server is going down)."""
        self.closing = True
        self.wakeups.wake_all()

    async def _renew_forever(self) -> None:
        while not await _set_within(self._stopping, self.keepalive):
            try:
                await self.slots.renew()
            except Exception as error:  # a lease lives three keepalives: one miss is fine
                log.warning("could not renew the leases of event streams: %s", error)

    def _finish(self, work: Awaitable[T]) -> "asyncio.Future[T]":
        """`work` runs to its end even when the stream awaiting it is cancelled (its
        client went away): a database read cut off half-way loses its connection."""
        task = asyncio.ensure_future(work)
        self._unfinished.add(task)
        task.add_done_callback(self._unfinished.discard)
        return asyncio.shield(task)

    async def open(self, access: Access, resume: str | None, *, field: str) -> Response:
        """A stream from `resume` (a cursor), or from now on; errors before it opens."""
        expires = access.principal.expires_at
        if expires is not None and expires <= time.time():
            # Accepted only by the clock leeway: a stream would end at once, and the
            # client reconnect with the same token, again and again.
            raise InvalidToken()
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
        return _EventStream(self, slot, access, position)

    def release(self, slot: uuid.UUID) -> None:
        """Give a closed stream's slot back, in the background."""

        async def give_back() -> None:
            try:
                await self.slots.give_back(slot)
            except Exception as error:  # its lease runs out instead
                log.warning("could not release an event stream's slot: %s", error)

        self._finish(give_back())

    async def follow(self, access: Access, position: int, receive: Receive, send: Send) -> None:
        """Send the changes after `position` as they commit, until the stream ends."""
        wake = self.wakeups.watch(access.workspace_id)
        hung_up = asyncio.ensure_future(_hang_up(receive))
        hung_up.add_done_callback(lambda _done: wake.set())
        expires = access.principal.expires_at
        try:
            await _send(send, b"retry: 2000\n\n")
            sent = time.monotonic()
            while not (self.closing or hung_up.done()):
                wake.clear()
                changes, position = await self._finish(self._read(access, position))
                if changes:
                    workspace_id = access.workspace_id
                    await _send(send, b"".join(_event(workspace_id, change) for change in changes))
                    sent = time.monotonic()
                if len(changes) == _BATCH:
                    continue  # more may be ready at once
                left = self.keepalive if expires is None else expires - time.time()
                if left <= 0:
                    return  # the token expired: the client comes back with a fresh one
                # A keepalive is due a keepalive after the last bytes sent, however
                # many wakes found nothing new meanwhile (writes that changed nothing).
                due = sent + self.keepalive - time.monotonic()
                if due <= 0 or not await wake.wait(min(left, due)):
                    await _send(send, b": keepalive\n\n")
                    sent = time.monotonic()
        except AppError:
            return  # no longer allowed to read the workspace (or the account is gone)
        except unavailable.SOURCES as error:
            if not unavailable.is_unavailable(error):
                raise
            # Nothing to answer with, mid-stream: the client resumes by Last-Event-ID.
            log.warning("an event stream ended: %s", unavailable.summary(error))
        finally:
            hung_up.cancel()
            self.wakeups.unwatch(access.workspace_id, wake)

    async def _read(self, access: Access, position: int) -> tuple[list[Change], int]:
        """Up to a batch of the changes after `position` committed now, and the
        position they reach. Checks access every time."""
        async with self.database.read_session() as session:
            latest, changes = await read_after(session, access, position, _BATCH)
        if len(changes) == _BATCH:
            return changes, changes[-1].seq
        # All of (position, latest] is read: writes that changed nothing took positions too.
        return changes, max(latest, position)


class _EventStream(Response):
    """An open stream, and its slot, given back however it ends.

    Not a StreamingResponse: an idle stream is a waiting coroutine and the task that
    listens for the client hanging up, without a generator's and a task group's
    machinery, which took a sixth of an idle stream's memory.
    """

    media_type = "text/event-stream"

    def __init__(self, hub: EventHub, slot: uuid.UUID, access: Access, position: int) -> None:
        super().__init__(headers=_HEADERS)
        self.hub, self.slot, self.access, self.position = hub, slot, access, position

    def init_headers(self, headers: Mapping[str, str] | None = None) -> None:
        super().init_headers(headers)
        # It has no length: it ends when the stream does.
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            start = {"type": "http.response.start", "status": self.status_code}
            await send({**start, "headers": self.raw_headers})
            await self.hub.follow(self.access, self.position, receive, send)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.hub.release(self.slot)


async def _hang_up(receive: Receive) -> None:
    """Return once the client has gone."""
    with suppress(Exception):
        while (await receive())["type"] != "http.disconnect":
            pass


async def _send(send: Send, body: bytes) -> None:
    await send({"type": "http.response.body", "body": body, "more_body": True})


def _event(workspace_id: uuid.UUID, change: Change) -> bytes:
    cursor = cursors.encode(workspace_id, change.seq)
    return b"id: %s\nevent: change\ndata: %s\n\n" % (
        cursor.encode(),
        change.model_dump_json().encode(),
    )


async def _set_within(event: asyncio.Event, within: float) -> bool:
    with suppress(TimeoutError):
        async with asyncio.timeout(within):
            await event.wait()
        return True
    return False


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
