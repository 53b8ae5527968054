"""The hottest reads, straight on the driver: one round trip, no session, no ORM.

A request that reads one item or one page spends most of its time, through an
`AsyncSession`, in the session and result machinery around a statement that the
database answers in microseconds. These reads instead run a statement compiled once
per dialect from its Core form (the single source of truth), with its parameters
bound as that dialect binds them, and hand back plain rows:

- SQLite: one connection per process, in autocommit, used on the event loop. Every
  read is a single synchronous step (execute, fetch), so no two ever interleave on it,
  and each sees every transaction committed before it (WAL). A read that fails opens
  the file anew and tries once more.
- PostgreSQL: an asyncpg pool of its own, whose connections keep each statement
  prepared. A connection found dead is dropped and the read tried once more.
"""

import asyncio
import sqlite3
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.engine import Dialect, make_url

from teamnotes.kit.inline_sqlite import READ_BUSY_TIMEOUT_MS

# A tuple from SQLite, an asyncpg Record from PostgreSQL: indexed and iterated alike.
Row = Any


@dataclass(frozen=True, slots=True)
class Prepared:
    sql: str
    names: tuple[str, ...]
    binders: tuple[Callable[[Any], Any] | None, ...]

    def arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        return [
            binder(parameters[name]) if binder else parameters[name]
            for name, binder in zip(self.names, self.binders, strict=True)
        ]


class DirectReads:
    """This process's direct reads of one database."""

    def __init__(self, url: str, dialect: Dialect, *, pool_size: int) -> None:
        self.url = make_url(url)
        self.dialect = dialect
        self.pool_size = pool_size
        self._sqlite: sqlite3.Connection | None = None
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self._prepared: dict[int, Prepared] = {}

    def prepare(self, statement: Select[Any]) -> Prepared:
        """The statement as this dialect runs it (compiled once; keep the statement)."""
        prepared = self._prepared.get(id(statement))
        if prepared is None:
            compiled = statement.compile(dialect=self.dialect)
            names = tuple(compiled.positiontup or ())
            binders = tuple(
                compiled.binds[name].type._cached_bind_processor(self.dialect) for name in names
            )
            prepared = self._prepared[id(statement)] = Prepared(str(compiled), names, binders)
        return prepared

    async def fetch(self, statement: Select[Any], parameters: Mapping[str, Any]) -> Sequence[Row]:
        prepared = self.prepare(statement)
        arguments = prepared.arguments(parameters)
        if self.dialect.name == "sqlite":
            try:
                return self._connection().execute(prepared.sql, arguments).fetchall()
            except sqlite3.DatabaseError:
                # The connection may hold a file that was since replaced or restored
                # (a volume mounted again): drop it and read once more from the path.
                self._close_sqlite()
                try:
                    return self._connection().execute(prepared.sql, arguments).fetchall()
                except sqlite3.DatabaseError:
                    self._close_sqlite()
                    raise
        try:
            return await (await self._connections()).fetch(prepared.sql, *arguments)
        except (asyncpg.ConnectionDoesNotExistError, asyncpg.InterfaceError):
            # The connection was gone (a restart): the pool drops it; once more.
            return await (await self._connections()).fetch(prepared.sql, *arguments)

    def _connection(self) -> sqlite3.Connection:
        if self._sqlite is None:
            connection = sqlite3.connect(
                str(self.url.database), check_same_thread=False, isolation_level=None
            )
            connection.execute(f"PRAGMA busy_timeout={READ_BUSY_TIMEOUT_MS:d}")
            self._sqlite = connection
        return self._sqlite

    async def _connections(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        **_asyncpg_arguments(self.url), min_size=1, max_size=self.pool_size
                    )
        return self._pool

    def _close_sqlite(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None

    async def close(self) -> None:
        self._close_sqlite()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def _asyncpg_arguments(url: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = url.translate_connect_args(username="user")
    arguments |= dict(url.query)
    return arguments


def _sqlite_uuid(value: str) -> str:
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _sqlite_timestamp(value: str | None) -> str | None:
    # SQLAlchemy stores `YYYY-MM-DD HH:MM:SS.ffffff` on SQLite, in UTC (UTCDateTime).
    if value is None:
        return None
    return f"{value[:10]}T{value[11:19]}{value[19:26] or '.000000'}Z"


def _postgres_timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_encoder(model: type[BaseModel], dialect: str) -> Callable[[Row], dict[str, Any]]:
    """Rows selected as `model`'s fields, in order, to the JSON values its
    serialisation gives (the API's UUIDs, timestamps, booleans), without a model."""
    converters: list[Callable[[Any], Any] | None] = []
    sqlite = dialect == "sqlite"
    for field in model.model_fields.values():
        kind = field.annotation
        if kind is uuid.UUID:
            converters.append(_sqlite_uuid if sqlite else str)
        elif _is_timestamp(field):
            converters.append(_sqlite_timestamp if sqlite else _postgres_timestamp)
        elif kind is bool and sqlite:
            converters.append(bool)
        else:
            converters.append(None)
    names = tuple(model.model_fields)
    pairs = tuple(zip(names, converters, strict=True))

    def encode(row: Row) -> dict[str, Any]:
        return {
            name: convert(value) if convert else value
            for (name, convert), value in zip(pairs, row, strict=False)
        }

    return encode


def _is_timestamp(field: Any) -> bool:
    """A datetime field, optional or not (its serialiser is the API's timestamp)."""
    kinds = [field.annotation, *getattr(field.annotation, "__args__", ())]
    return any(kind is datetime or getattr(kind, "__origin__", None) is datetime for kind in kinds)
