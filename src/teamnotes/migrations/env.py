"""Alembic's entry point: on the connection handed over by teamnotes.migrations, or,
for the `alembic` command line, on the configured database."""

import asyncio

from alembic import context
from sqlalchemy import Connection

from teamnotes.config import get_settings
from teamnotes.migrations import migration_engine
from teamnotes.models import Base


def _include_name(name: str | None, type_: str, _parents: object) -> bool:
    # Search indexes are engine-specific and live in the migrations only: SQLite's
    # FTS5 tables (and their shadow tables) with the key column they follow and its
    # unique index, PostgreSQL's GIN expression indexes.
    if not name:
        return True
    if type_ == "table":
        return "_fts" not in name
    if type_ == "column":
        return name != "search_key"
    if type_ == "index":
        return not name.endswith(("_search", "_search_key"))
    return True


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_on_configured_database() -> None:
    engine = migration_engine(get_settings().database_url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_run_on_configured_database())
