"""What a failed statement leaves in the logs: the 500 path logs the exception in
full, and it must name none of the values the statement carried (emails, password
hashes, note content), on either engine."""

import logging
import secrets
import traceback
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from teamnotes.app import create_app
from teamnotes.auth.models import User
from teamnotes.kit.db import SessionDep
from teamnotes.kit.logs import ConsoleFormatter, JSONFormatter
from teamnotes.migrations import migration_engine
from teamnotes.notes.models import Note
from tests.conftest import make_settings

# Short enough that a driver quoting the start of a value would quote all of it.
SECRETS = {
    "email": f"leak-{secrets.token_hex(6)}@example.com",
    "display_name": f"name-{secrets.token_hex(6)}",
    "password_hash": f"hash-{secrets.token_hex(6)}",
    "content": f"note-{secrets.token_hex(6)}",
}


async def duplicate_email(session: SessionDep) -> None:
    now = datetime.now(UTC)
    row = {name: SECRETS[name] for name in ("email", "display_name", "password_hash")}
    for _ in range(2):  # a unique violation: PostgreSQL's DETAIL quotes the key
        await session.execute(
            insert(User).values(id=uuid.uuid4(), created_at=now, updated_at=now, **row)
        )


async def missing_column(session: SessionDep) -> None:
    now = datetime.now(UTC)
    # No version: a NOT NULL violation, whose DETAIL on PostgreSQL quotes the row.
    await session.execute(
        insert(Note).values(
            id=uuid.uuid4(),
            created_by=SECRETS["email"],
            title=SECRETS["display_name"],
            content=SECRETS["content"],
            created_at=now,
            updated_at=now,
        )
    )


# Neither driver can bind a dict; asyncpg's message would quote it.
UNBINDABLE = text("SELECT :value").bindparams(value={"c": SECRETS["content"]})


async def unbindable_value(session: SessionDep) -> None:
    await session.execute(UNBINDABLE)


FAILING_ROUTES: dict[str, Callable[[SessionDep], Awaitable[None]]] = {
    "/duplicate-email": duplicate_email,
    "/missing-column": missing_column,
    "/unbindable-value": unbindable_value,
}


@pytest.fixture
async def failing_app(database_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    """The real app, on each engine, plus routes whose statement fails."""
    application = create_app(make_settings(database_url, tmp_path))
    for path, handler in FAILING_ROUTES.items():
        application.add_api_route(path, handler, methods=["POST"], include_in_schema=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.mark.parametrize("path", list(FAILING_ROUTES))
async def test_a_failed_statement_logs_none_of_its_values(
    failing_app: FastAPI, logged: list[logging.LogRecord], path: str
) -> None:
    transport = httpx.ASGITransport(app=failing_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post(path)
    assert response.status_code == 500
    assert response.json()["error_code"] == "internal_error"
    errors = [record for record in logged if record.name == "teamnotes.errors"]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    # The statement is still there to debug with.
    assert "[SQL: " in str(errors[0].exc_info[1])
    assert {record.name for record in logged} == {"teamnotes.errors", "teamnotes.access"}
    for record in logged:
        for formatter in (JSONFormatter(), ConsoleFormatter()):
            line = formatter.format(record)
            for name, secret in SECRETS.items():
                assert secret not in line, (name, record.getMessage())


async def test_the_migration_engine_names_no_values_either(database_url: str) -> None:
    engine = migration_engine(database_url)
    try:
        with pytest.raises(DBAPIError) as caught:
            async with engine.connect() as connection:
                await connection.execute(UNBINDABLE)
    finally:
        await engine.dispose()
    assert "[SQL: " in str(caught.value)
    assert SECRETS["content"] not in "".join(traceback.format_exception(caught.value))
