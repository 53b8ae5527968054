"""Transaction locks on names: one writer at a time per name, across processes."""

import hashlib
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


def _lock_id(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), signed=True)


async def hold_names(connection: AsyncConnection, space: int, names: Iterable[str]) -> None:
    """Hold back every other transaction holding one of these names until this one ends.

    On PostgreSQL, an advisory lock per name (in `space`, a constant of the caller's),
    taken in a fixed order so that two transactions never wait for each other;
    SQLite's write lock, held already by every write transaction, does it there.
    """
    if connection.dialect.name != "postgresql":
        return
    for lock in sorted({_lock_id(name) for name in names}):
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:space, :lock)"), {"space": space, "lock": lock}
        )
