"""One writer at a time across the processes sharing a SQLite file, woken by the kernel.

SQLite lets one connection write at a time and makes the others retry through its
busy handler, which sleeps and polls: under load the processes hand the write lock
to each other in convoys, each waiting out sleeps while the lock is free. Here a
process takes an `flock` on a file beside the database before it begins a write
transaction, and lets go when it ends: a process that waits is woken by the kernel
the moment the lock is free, and once it holds the gate SQLite's own lock is free
too, so the transaction's statements can run on the event loop without waiting.

Within a process the writer pool (one connection) already queues the writers; the
gate only orders the processes. The wait for the gate happens in a thread of its
own, so the event loop never blocks on it.
"""

import asyncio
import fcntl
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor

# SQLite's own lock may still be held by something outside the gate (a migration, a
# backup, another program): BEGIN IMMEDIATE then waits in short, awaited steps.
_BUSY_STEP = 0.005


class WriteGate:
    def __init__(self, database_path: str) -> None:
        self.path = f"{database_path}.writer-lock"
        self._fd: int | None = None
        self._waiter: ThreadPoolExecutor | None = None
        self._held = False

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd

    async def acquire(self) -> None:
        try:
            fcntl.flock(self._file(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            await self._wait()
        self._held = True

    async def _wait(self) -> None:
        if self._waiter is None:
            self._waiter = ThreadPoolExecutor(1, thread_name_prefix="sqlite-write-gate")
        loop = asyncio.get_running_loop()
        taken = loop.run_in_executor(self._waiter, fcntl.flock, self._file(), fcntl.LOCK_EX)
        try:
            await asyncio.shield(taken)
        except asyncio.CancelledError:
            # Nobody wants it any more: give it back as soon as the kernel hands it over.
            taken.add_done_callback(lambda _done: self._unlock())
            raise

    def release(self) -> None:
        if self._held:
            self._held = False
            self._unlock()

    def _unlock(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Let go of the lock file (it is opened again by the next write)."""
        self.release()
        if self._waiter is not None:
            self._waiter.shutdown(wait=False, cancel_futures=True)
            self._waiter = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


async def begin_immediate(connection: sqlite3.Connection, *, patience: float) -> None:
    """BEGIN IMMEDIATE without blocking the event loop on SQLite's busy handler: after
    `patience` seconds of another holder, "database is locked"."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while True:
        try:
            connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or loop.time() > deadline:
                raise
        await asyncio.sleep(_BUSY_STEP)
