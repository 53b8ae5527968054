"""SQLite reads on the event loop itself, without aiosqlite's worker thread.

aiosqlite hands every call (cursor, execute, fetch, close…) to a thread and back,
and each round trip costs more than the work: a read by primary key takes
microseconds in SQLite, the hops around it most of a millisecond. In WAL mode
readers never wait for a lock, so a reading connection can run its calls inline;
writers keep the thread, because they may wait for another process's write lock.

aiosqlite 0.22 (pinned) sends all work through one queue, which SQLAlchemy's
adapter also uses directly; replacing that queue with one that runs each item at
once, and not starting the thread, is the whole change.
"""

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

import aiosqlite


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


def inline_connector(path: str) -> Callable[[], Any]:
    """An `async_creator` for SQLAlchemy: connections that read on the event loop."""

    async def connect() -> aiosqlite.Connection:
        # The pool may close a connection from another thread than the loop's.
        return await InlineConnection(partial(sqlite3.connect, path, check_same_thread=False))

    return connect
