"""Schema migrations (Alembic), run by `teamnotes migrate` and `teamnotes serve`."""

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from teamnotes.kit.db import async_url, sqlite_connection_setup
from teamnotes.kit.driver_errors import hide_values_in_errors

# Any constant will do: it only has to be the same in every process of a deployment.
_MIGRATION_LOCK_KEY = 0x7E4A_0A7E5


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


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
    command.upgrade(alembic_config(connection), "head")


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        result = await connection.execute(text("SELECT version_num FROM alembic_version"))
        return result.scalar_one_or_none()
