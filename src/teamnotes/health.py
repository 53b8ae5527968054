"""Probes for orchestrators and load balancers (API.md §5): no authentication."""

import asyncio
import time
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from teamnotes import __version__
from teamnotes.kit.db import Database
from teamnotes.kit.errors import ErrorBody, ServiceUnavailable, request_id_of
from teamnotes.migrations import current_revision, head_revision

router = APIRouter(tags=["operations"])

# A probe must answer promptly even when the database hangs.
_DATABASE_TIMEOUT = 2.0


class DatabaseHealth(BaseModel):
    status: Literal["ok", "unavailable"]
    latency_ms: float | None


class NotReady(ErrorBody):
    """A 503 from /readyz: the error body, with the probe's status."""

    status: Literal["unavailable"]


class Unhealthy(ErrorBody):
    """A 503 from /health: the error body, with the probe's details."""

    status: Literal["unavailable"]
    version: str
    database: DatabaseHealth


def _unavailable(request: Request, body: dict[str, Any], detail: str) -> JSONResponse:
    error = {
        "detail": detail,
        "error_code": ServiceUnavailable.error_code,
        "field": None,
        "request_id": request_id_of(request.scope),
    }
    return JSONResponse({**body, **error}, status_code=503)


@router.get("/healthz")
async def liveness() -> dict[str, str]:
    """Liveness: the process serves. Touches no database."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"model": NotReady, "description": "Not ready"}})
async def readiness(request: Request) -> Any:
    """Readiness: the database answers and its schema is at the latest migration."""
    database: Database = request.app.state.database
    try:
        revision = await asyncio.wait_for(current_revision(database.reader), _DATABASE_TIMEOUT)
    except Exception:
        return _unavailable(request, {"status": "unavailable"}, "The database does not answer")
    if revision != head_revision():
        detail = f"The database schema is at {revision}, not at {head_revision()}"
        return _unavailable(request, {"status": "unavailable"}, detail)
    return {"status": "ready"}


@router.get("/health", responses={503: {"model": Unhealthy, "description": "Unhealthy"}})
async def health(request: Request) -> Any:
    """Health with details: version and database latency."""
    database: Database = request.app.state.database
    started = time.perf_counter()
    try:
        async with asyncio.timeout(_DATABASE_TIMEOUT), database.reader.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        body = {
            "status": "unavailable",
            "version": __version__,
            "database": {"status": "unavailable", "latency_ms": None},
        }
        return _unavailable(request, body, "The database does not answer")
    latency = round((time.perf_counter() - started) * 1000, 2)
    return {
        "status": "ok",
        "version": __version__,
        "database": {"status": "ok", "latency_ms": latency},
    }
