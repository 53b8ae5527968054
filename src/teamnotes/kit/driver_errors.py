"""Database errors that name no row values, since a 500 logs its exception in full.

`hide_parameters=True` on every engine keeps the bound parameters out of
SQLAlchemy's messages, but the drivers quote values by themselves: PostgreSQL's
DETAIL (`Key (email)=(ann@example.com) already exists`, `Failing row contains
(…, <note content>, …)`), and asyncpg's own bind errors (`invalid input for query
argument $2: 'the value…'`). This drops those too, keeping the SQLSTATE class, the
constraint and the statement, which are what a developer needs.
"""

import re
from collections.abc import Iterator

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

_BOUND_VALUE = re.compile(r"(invalid input for query argument \$\d+[^:]*): .*", re.DOTALL)


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def _scrub(error: BaseException) -> None:
    # asyncpg's errors append `detail` (and `hint`) to their text when they print.
    if not isinstance(error, StatementError) and getattr(error, "detail", None):
        error.detail = None  # type: ignore[attr-defined]
    if error.args and isinstance(error.args[0], str):
        message = _BOUND_VALUE.sub(r"\1", error.args[0])
        if message != error.args[0]:
            error.args = (message, *error.args[1:])
            # What the bind error was raised from is the codec's complaint about the value.
            error.__cause__ = None
            error.__suppress_context__ = True


def hide_values_in_errors(engine: AsyncEngine) -> None:
    """Scrub row values from every error this engine raises, before anyone logs it."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _handle_error(context: ExceptionContext) -> None:
        for error in (context.sqlalchemy_exception, *_chain(context.original_exception)):
            if error is not None:
                _scrub(error)
