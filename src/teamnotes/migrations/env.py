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
    # FTS5 tables (and their shadow tables), PostgreSQL's GIN expression indexes.
    if type_ == "table" and name and "_fts" in name:
        return False
    return not (type_ == "index" and name and name.endswith("_search"))


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
