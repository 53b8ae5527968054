"""`teamnotes backup FILE`: a consistent copy of the SQLite database, while it serves.

SQLite's online backup API copies the database page by page under one read
transaction, so the copy is the database as it was at one moment, whatever the
server writes meanwhile (readers never block writers in WAL mode). The copy is
written beside FILE and renamed onto it once complete, so FILE is never half a
backup; it is one self-contained file (rollback journal, no `-wal` beside it).
"""

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from teamnotes.kit.urls import async_url, is_memory_sqlite

# As long as the server's writers wait for the lock (kit.db.sqlite_connection_setup).
_BUSY_TIMEOUT_S = 15.0


class BackupRefused(Exception):
    """No backup can be made of this database; the message says what to do instead."""


def backup(database_url: str, destination: Path) -> Path:
    """Write a consistent copy of the SQLite database at `database_url` to `destination`."""
    url = make_url(async_url(database_url))
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(
            "the database is PostgreSQL, which backs itself up: use pg_dump, e.g. "
            'pg_dump --format=custom --file=teamnotes.dump "$TEAMNOTES_DATABASE_URL"'
        )
    if is_memory_sqlite(database_url):
        raise BackupRefused("the database is in memory: it outlives no process, back up nothing")
    source = Path(str(url.database))
    if not source.is_file():
        raise BackupRefused(f"there is no database at {source}")
    destination = destination.resolve()
    if not destination.parent.is_dir():
        raise BackupRefused(f"there is no folder {destination.parent} to write the backup in")
    if destination == source.resolve():
        raise BackupRefused("the backup cannot replace the database itself: name another file")
    handle, partial = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".partial"
    )
    os.close(handle)
    try:
        with (
            contextlib.closing(sqlite3.connect(source, timeout=_BUSY_TIMEOUT_S)) as reading,
            contextlib.closing(sqlite3.connect(partial)) as writing,
        ):
            reading.backup(writing)
            writing.execute("PRAGMA journal_mode=DELETE")
        os.replace(partial, destination)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
    return destination
