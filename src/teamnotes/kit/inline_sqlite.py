"""SQLite reads on the event loop itself, without aiosqlite's worker thread.

aiosqlite hands every call (cursor, execute, fetch, close…) to a thread and back,
and each round trip costs more than the work: a read by primary key takes
microseconds in SQLite, the hops around it most of a millisecond. In WAL mode
readers wait for no writer, so a reading connection can run its calls inline.
Writers run inline too once they hold the write gate (`sqlite_gate`), which makes
sure no other process holds SQLite's write lock meanwhile.

aiosqlite 0.22 (pinned) sends all work through one queue, which SQLAlchemy's
adapter also uses directly; replacing that queue with one that runs each item at
once, and not starting the thread, is the whole change. That queue is private to
aiosqlite, so `inline_connector` checks it is there before any connection is made:
another aiosqlite fails at start-up, not on the first read.

The rare lock a reader does wait for, it waits for on the event loop: the reading
engine gives these connections a busy timeout of `READ_BUSY_TIMEOUT_MS` only.
"""

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

import aiosqlite

from teamnotes.kit.sqlite_gate import WriteGate


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its worker thread: runs each item now."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:
            if future is not None and not future.done():
                future.set_exception(error)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no thread to start


READ_BUSY_TIMEOUT_MS = 100
"""How long an inline read may wait for a lock, blocking the event loop meanwhile.

WAL readers wait only for an exclusive lock: another connection's exclusive locking
mode, or the recovery after a crash. Past this the read fails instead."""


def check_supported() -> None:
    """Raise unless aiosqlite's Connection still has the queue this module replaces."""
    probe = aiosqlite.Connection(partial(sqlite3.connect, ":memory:"), iter_chunk_size=64)
    if not callable(getattr(getattr(probe, "_tx", None), "put_nowait", None)):
        version = getattr(aiosqlite, "__version__", "?")
        raise RuntimeError(
            f"aiosqlite {version} is not supported by teamnotes' inline SQLite reader: "
            "its Connection has no `_tx` queue with `put_nowait` to replace; "
            "install the aiosqlite version that pyproject.toml pins"
        )


def inline_connector(path: str) -> Callable[[], Any]:
    """An `async_creator` for SQLAlchemy: connections that read on the event loop."""
    check_supported()

    async def connect() -> aiosqlite.Connection:
        # The pool may close a connection from another thread than the loop's.
        return await InlineConnection(partial(sqlite3.connect, path, check_same_thread=False))

    return connect


class GatedWriter(InlineConnection):
    """The writer of a process: its transactions begin by taking the write gate (see
    `sqlite_gate`, wired by `Database`), and end by giving it back."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], gate: WriteGate) -> None:
        super().__init__(connector)
        self.gate = gate

    async def commit(self) -> None:
        try:
            await super().commit()
        finally:
            self.gate.release()

    async def rollback(self) -> None:
        try:
            await super().rollback()
        finally:
            self.gate.release()

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self.gate.release()


def gated_writer_connector(path: str, gate: WriteGate) -> Callable[[], Any]:
    """An `async_creator` for the writer: inline, behind the process-crossing gate."""
    check_supported()

    async def connect() -> aiosqlite.Connection:
        connector = partial(sqlite3.connect, path, check_same_thread=False)
        return await GatedWriter(connector, gate)

    return connect
