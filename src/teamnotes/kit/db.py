"""Engines, sessions and the declarative base: the one place that talks to the driver."""

from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, String, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import await_only

from teamnotes.kit.direct import DirectReads
from teamnotes.kit.driver_errors import hide_values_in_errors
from teamnotes.kit.errors import AppError
from teamnotes.kit.inline_sqlite import (
    READ_BUSY_TIMEOUT_MS,
    gated_writer_connector,
    inline_connector,
)
from teamnotes.kit.sqlite_gate import WriteGate, begin_immediate
from teamnotes.kit.urls import async_url, is_memory_sqlite

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every engine (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def sortable_text(length: int) -> String:
    """Text that sorts by code point on both engines (SQLite's BINARY, PostgreSQL's "C")."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def upsert(session: AsyncSession, model: type[Base]) -> Any:
    """An INSERT that takes an ON CONFLICT clause, in the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(model)
    return sqlite_insert(model)


def insert_ignoring_conflict(session: AsyncSession, model: type[Base]) -> Any:
    """INSERT … ON CONFLICT DO NOTHING, in the session's dialect."""
    return upsert(session, model).on_conflict_do_nothing()


def utcnow() -> datetime:
    return datetime.now(UTC)


def sqlite_connection_setup(
    engine: AsyncEngine,
    *,
    begin: str | None,
    foreign_keys: bool = True,
    busy_timeout_ms: int = 15_000,
) -> None:
    """Pragmas on every connection, and explicit transactions (the aiosqlite recipe)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not pysqlite's own guesswork.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # First, so that the pragmas below wait no longer than it either.
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms:d}")
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL keeps every committed transaction across a crash of the
        # process (kill -9); only an OS crash or power loss can roll back the last ones.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.close()

    if begin is None:
        return

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


def gated_transactions(engine: AsyncEngine, gate: WriteGate, *, busy_timeout: float) -> None:
    """Begin every write transaction behind the gate (released at its commit or rollback,
    by `GatedWriter`), with a BEGIN IMMEDIATE that never blocks the event loop."""

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        adapted = connection.connection.dbapi_connection
        await_only(gate.acquire())
        try:
            await_only(begin_immediate(adapted.driver_connection._conn, patience=busy_timeout))
        except BaseException:
            gate.release()
            raise


class Database:
    """The engines of one process: readers and writers, split on SQLite.

    SQLite allows one writer at a time. Each process therefore funnels its writes
    through a single connection that takes the write lock up front
    (`BEGIN IMMEDIATE`), so writers queue in the pool instead of failing with
    "database is locked" halfway through a transaction; between processes the write
    gate (an `flock`, `sqlite_gate`) does the queueing. Readers never block writers
    in WAL mode, and both run on the event loop.
    """

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        pool_timeout: float = 30.0,
        busy_timeout: float = 15.0,
        session_info: Mapping[str, Any] | None = None,
    ) -> None:
        self.url = async_url(url)
        self.dialect = self.url.split("+", 1)[0]
        self.gate: WriteGate | None = None
        if self.dialect == "sqlite" and is_memory_sqlite(url):
            # One connection is the whole in-memory database, which lives exactly as long
            # as that connection stays in the pool: everything shares it.
            self.writer = self.reader = create_async_engine(
                self.url,
                poolclass=AsyncAdaptedQueuePool,
                pool_size=1,
                max_overflow=0,
                pool_timeout=pool_timeout,
                hide_parameters=True,
            )
            sqlite_connection_setup(self.writer, begin="BEGIN IMMEDIATE")
        elif self.dialect == "sqlite":
            path = str(make_url(self.url).database)
            self.gate = WriteGate(path)
            # A queue of one connection: the process's writer, behind the gate.
            self.writer = create_async_engine(
                self.url,
                poolclass=AsyncAdaptedQueuePool,
                pool_size=1,
                max_overflow=0,
                pool_timeout=pool_timeout,
                async_creator=gated_writer_connector(path, self.gate),
                hide_parameters=True,
            )
            sqlite_connection_setup(self.writer, begin=None, busy_timeout_ms=READ_BUSY_TIMEOUT_MS)
            gated_transactions(self.writer, self.gate, busy_timeout=busy_timeout)
            self.reader = create_async_engine(
                self.url,
                pool_size=pool_size,
                pool_timeout=pool_timeout,
                pool_reset_on_return=None,
                async_creator=inline_connector(path),
                hide_parameters=True,
            )
            sqlite_connection_setup(self.reader, begin=None, busy_timeout_ms=READ_BUSY_TIMEOUT_MS)
        else:
            self.writer = self.reader = create_async_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_timeout=pool_timeout,
                pool_pre_ping=True,
                hide_parameters=True,
            )
        # The hottest reads skip the session (kit.direct); an in-memory database is one
        # connection, which only the engines may use.
        self.direct = (
            None
            if is_memory_sqlite(url)
            else DirectReads(self.url, self.reader.dialect, pool_size=pool_size)
        )
        # Error messages name no parameters or row values (emails, password hashes,
        # note content): the 500 path logs them in full.
        for engine in {self.writer, self.reader}:
            hide_values_in_errors(engine)
        # A session class of this database's own, so that what listens to its commits
        # hears only this database's (tests run several apps in one process).
        sessions: type[Session] = type("DatabaseSession", (Session,), {})
        self._committed: list[Callable[[dict[Any, Any]], None]] = []
        # What the composition root gives every session (the settings a domain's writes
        # follow), kept across its transactions; what a transaction notes beside it
        # goes when the transaction ends.
        self.session_info = dict(session_info or {})
        event.listen(sessions, "after_commit", self._after_commit)
        event.listen(sessions, "after_rollback", self._reset_info)
        self.read_session = async_sessionmaker(
            self.reader, expire_on_commit=False, sync_session_class=sessions, info=self.session_info
        )
        self.write_session = async_sessionmaker(
            self.writer, expire_on_commit=False, sync_session_class=sessions, info=self.session_info
        )

    def on_commit(self, listener: Callable[[dict[Any, Any]], None]) -> None:
        """Call `listener` with a session's `info` after each of its commits: what a
        transaction notes there (the workspaces it wrote) is heard once it is durable."""
        self._committed.append(listener)

    def _after_commit(self, session: Session) -> None:
        for listener in self._committed:
            listener(session.info)
        self._reset_info(session)

    def _reset_info(self, session: Session) -> None:
        session.info.clear()
        session.info.update(self.session_info)

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()
        if self.gate is not None:
            self.gate.close()
        if self.direct is not None:
            await self.direct.close()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session in a transaction that commits when the handler succeeds.

    Safe methods read; the others get the writer. The connection, and with it
    SQLite's write lock, is taken only by the first statement.
    """
    database: Database = request.app.state.database
    factory = database.read_session if request.method in SAFE_METHODS else database.write_session
    async with factory() as session:
        try:
            yield session
        except AppError as error:
            if error.keeps_changes:
                await session.commit()
            raise
        if factory is database.write_session:
            await session.commit()


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A reading session, for a write method that must not hold the writer while it
    works on something else (a password check, for one)."""
    database: Database = request.app.state.database
    async with database.read_session() as session, session.begin():
        yield session


# scope="function" ends the transaction before the response is sent: a failed
# commit answers 500, never a 201 for a row that does not exist.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
