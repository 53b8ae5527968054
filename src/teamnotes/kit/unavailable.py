"""Which failures mean "the database cannot be reached now" (503), not a bug (500).

A request that cannot get at its database (the server is down or restarting, the
network is cut, the pool stayed exhausted past its timeout, SQLite's file cannot be
opened or written, its lock stayed taken past the busy timeout) fails through no
fault of its own and may well succeed when retried: that is a 503 with Retry-After.
Everything else a driver raises (a constraint violation, a syntax error, a missing
table) is a bug or a broken deployment, and stays a 500 logged in full.
"""

import sqlite3
from collections.abc import Iterator

from sqlalchemy import exc as sa

# The exception classes a database failure can surface as, for handler registration:
# SQLAlchemy wraps what the drivers raise, except a connection that could not be made
# at all, which asyncpg lets through as an OSError (ConnectionRefusedError, …). Any
# OS-level I/O failure reaching a handler is the environment's, not the code's.
SOURCES: tuple[type[Exception], ...] = (sa.SQLAlchemyError, OSError, sqlite3.Error)

# SQLite's messages for a file it cannot use, or a lock it could not get in time.
_SQLITE_MESSAGES = (
    "unable to open",
    "disk i/o",
    "database is locked",
    "database or disk is full",
    "readonly",
    "file is not a database",
)

# PostgreSQL's SQLSTATE classes for a server that cannot serve: connection exceptions
# (08), insufficient resources such as too many connections or a full disk (53),
# shutdown or start-up in progress (57P), and I/O errors (58). asyncpg's errors and
# SQLAlchemy's adapter of them both carry the code as `sqlstate`.
_POSTGRES_STATES = ("08", "53", "57P", "58")


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, the driver's error it wraps, and the causes of those."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        orig = getattr(link, "orig", None)
        link = orig if isinstance(orig, BaseException) else link.__cause__


def _means_unavailable(link: BaseException) -> bool:
    if isinstance(link, sa.TimeoutError | sa.DisconnectionError | OSError):
        return True
    # A connection lost mid-request (asyncpg's ConnectionDoesNotExistError, "connection
    # is closed"): SQLAlchemy has invalidated it, and the next checkout reconnects.
    if isinstance(link, sa.DBAPIError) and link.connection_invalidated:
        return True
    if isinstance(link, sqlite3.DatabaseError):
        message = str(link).lower()
        return any(phrase in message for phrase in _SQLITE_MESSAGES)
    state = getattr(link, "sqlstate", None)
    return isinstance(state, str) and state.startswith(_POSTGRES_STATES)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database could not be reached or used just now."""
    return any(_means_unavailable(link) for link in _chain(error))


def summary(error: BaseException) -> str:
    """One line naming the innermost failure: no traceback, no SQL, no parameters."""
    *_, root = _chain(error)
    kind = type(root)
    package = kind.__module__.split(".")[0]
    name = kind.__qualname__ if package == "builtins" else f"{package}.{kind.__qualname__}"
    lines = str(root).splitlines()
    return f"{name}: {lines[0]}" if lines else name
