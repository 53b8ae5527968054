"""Schema migrations (Alembic), run by `teamnotes migrate` and `teamnotes serve`.

Alembic (with Mako) is imported only to migrate: about 11 MB that a serving process
whose database is already at the head never loads.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from teamnotes.kit.db import sqlite_connection_setup
from teamnotes.kit.driver_errors import hide_values_in_errors
from teamnotes.kit.urls import async_url

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration's revision, which /readyz and `serve` compare the database's
# with; tests/test_migrations.py checks it against Alembic's own reading of versions/.
HEAD_REVISION = "0012"

# Any constant will do: it only has to be the same in every process of a deployment.
_MIGRATION_LOCK_KEY = 0x7E4A_0A7E5


def alembic_config(connection: Connection | None = None) -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return HEAD_REVISION


def migration_engine(database_url: str) -> AsyncEngine:
    # Error messages name no parameters or row values here either (see Database).
    engine = create_async_engine(async_url(database_url), poolclass=NullPool, hide_parameters=True)
    hide_values_in_errors(engine)
    if engine.dialect.name == "sqlite":
        # BEGIN IMMEDIATE makes a second process wait for the first one's migration.
        # Foreign keys stay off: SQLite cannot switch them inside a transaction, and
        # batch migrations that rebuild a table must not cascade its deletes.
        sqlite_connection_setup(engine, begin="BEGIN IMMEDIATE", foreign_keys=False)
    return engine


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Apply pending migrations, safely when several processes start at once."""
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        await connection.run_sync(_upgrade)


def _upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        result = await connection.execute(text("SELECT version_num FROM alembic_version"))
        return result.scalar_one_or_none()


async def is_at_head(engine: AsyncEngine) -> bool:
    """Whether the schema is the newest; false too for a database never migrated."""
    try:
        return await current_revision(engine) == HEAD_REVISION
    except DBAPIError:  # no alembic_version table yet
        return False
