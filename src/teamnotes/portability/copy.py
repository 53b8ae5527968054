"""`teamnotes copy --to URL`: this deployment's whole database, into an empty one.

Every table of the schema (`Base.metadata`, so tables added later come along
without a change here) is copied row by row with its ids, parents before children,
in batches. The column types convert between the engines (UUIDs, UTC times,
booleans), so either engine can be the source or the target.

What is not copied, because the target makes it itself: the migrations' own table
(the target is migrated to the same head first), and the search indexes — on
SQLite the FTS5 tables and their `search_key` column, filled by the insert
triggers; on PostgreSQL the GIN index over the copied search columns. Counters
behind integer keys are moved past the copied rows.

The source is read in one snapshot, so the copy is consistent even while the
deployment serves; the target is written in one transaction, so a copy that fails
halfway leaves it empty and a rerun starts clean.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import Table, func, insert, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from teamnotes.kit.db import sqlite_connection_setup
from teamnotes.kit.driver_errors import hide_values_in_errors
from teamnotes.kit.urls import async_url, is_memory_sqlite
from teamnotes.migrations import current_revision, head_revision, migration_engine, upgrade_to_head
from teamnotes.models import Base

BATCH = 1000


class CopyRefused(Exception):
    """The copy cannot start; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Progress:
    """What the copy reports as it goes (the command line draws it)."""

    started: Callable[[str, int], None]
    """A table and the number of its rows, before they are copied."""
    copied: Callable[[int], None]
    """Another batch of the current table's rows is in the target."""


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


async def copy_database(
    source_url: str, target_url: str, *, progress: Progress, batch: int = BATCH
) -> dict[str, int]:
    """Copy every table into the empty database at `target_url`; the rows per table."""
    if is_memory_sqlite(source_url) or is_memory_sqlite(target_url):
        raise CopyRefused(
            "an in-memory SQLite database outlives no process: copy from or to a file"
        )
    source = _engine(source_url, begin="BEGIN")
    target = _engine(target_url, begin="BEGIN IMMEDIATE")
    try:
        if await current_revision(source) != head_revision():
            raise CopyRefused(
                f"the source {redacted(source_url)} is not at the current schema: "
                "run `teamnotes migrate` first"
            )
        await _refuse_unless_empty(target, target_url)
        migrating = migration_engine(target_url)
        try:
            await upgrade_to_head(migrating)
        finally:
            await migrating.dispose()
        async with _snapshot(source) as reading, target.begin() as writing:
            return await _copy_tables(reading, writing, progress, batch)
    finally:
        await source.dispose()
        await target.dispose()


def _engine(url: str, *, begin: str) -> AsyncEngine:
    engine = create_async_engine(async_url(url), poolclass=NullPool, hide_parameters=True)
    hide_values_in_errors(engine)
    if engine.dialect.name == "sqlite":
        sqlite_connection_setup(engine, begin=begin)
    return engine


async def _refuse_unless_empty(target: AsyncEngine, target_url: str) -> None:
    """Refuse a target that holds any row of a table of the schema (before migrating
    it, so that a refused target is left exactly as it was)."""
    async with target.connect() as connection:
        present = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        for table in Base.metadata.sorted_tables:
            if table.name not in present:
                continue
            row = (await connection.execute(select(text("1")).select_from(table).limit(1))).first()
            if row is not None:
                raise CopyRefused(
                    f"the target {redacted(target_url)} is not empty (table {table.name} has "
                    "rows): copy only into a new, empty database"
                )


@asynccontextmanager
async def _snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection to the source whose reads all see one moment of it."""
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        async with connection.begin():
            yield connection


async def _copy_tables(
    reading: AsyncConnection, writing: AsyncConnection, progress: Progress, batch: int
) -> dict[str, int]:
    copied: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        total = (await reading.execute(select(func.count()).select_from(table))).scalar_one()
        progress.started(table.name, total)
        # Generated columns are the target's to compute.
        columns = [column for column in table.columns if column.computed is None]
        rows = await reading.stream(
            select(*columns).order_by(*table.primary_key.columns),
            execution_options={"yield_per": batch},
        )
        copied[table.name] = 0
        async for part in rows.partitions(batch):
            # By key: a column may be stored under another name (a task's `order`).
            values = [
                {column.key: value for column, value in zip(columns, row, strict=True)}
                for row in part
            ]
            await writing.execute(insert(table), values)
            copied[table.name] += len(part)
            progress.copied(len(part))
        if writing.dialect.name == "postgresql":
            await _move_counter_past_rows(writing, table)
    return copied


async def _move_counter_past_rows(connection: AsyncConnection, table: Table) -> None:
    """On PostgreSQL, the sequence behind an integer key: next after the copied rows."""
    column = table.autoincrement_column
    if column is None:
        return
    await connection.execute(
        select(
            func.setval(
                func.pg_get_serial_sequence(table.name, column.name),
                func.coalesce(func.max(column), 0) + 1,
                False,
            )
        ).select_from(table)
    )
