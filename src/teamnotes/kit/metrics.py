"""Prometheus metrics (`GET /metrics`), correct across worker processes.

`teamnotes serve` points PROMETHEUS_MULTIPROC_DIR at a fresh directory before any
worker starts, so every worker writes its samples there and a scrape, answered by
whichever worker, aggregates them all. Labels are the route template, never a raw
path or a user id, so the number of series stays bounded.
"""

import asyncio
import os
from contextlib import suppress
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from teamnotes.kit.db import Database

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "teamnotes_http_requests_total",
    "HTTP requests answered.",
    ["method", "route", "status_class"],
)
LATENCY = Histogram(
    "teamnotes_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
IN_FLIGHT = Gauge(
    "teamnotes_http_requests_in_flight",
    "HTTP requests being answered.",
    multiprocess_mode="livesum",
)
POOL = Gauge(
    "teamnotes_db_pool_connections",
    "Database connections of the pools, by state.",
    ["engine", "state"],
    multiprocess_mode="livesum",
)
THROTTLED = Counter(
    "teamnotes_login_throttled_total",
    "Password checks refused with 429 by login throttling.",
)

_POOL_INTERVAL = 5.0

# The method is the client's to choose (h11 passes any token through): one outside
# this set is counted as "other", so clients cannot mint new series.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def record(method: str, route: str | None, status: int, seconds: float) -> None:
    method = method if method in _METHODS else "other"
    template = route or "unmatched"
    REQUESTS.labels(method, template, f"{status // 100}xx").inc()
    LATENCY.labels(method, template).observe(seconds)


def _sample_pools(database: Database) -> None:
    for role, engine in (("writer", database.writer), ("reader", database.reader)):
        pool: Any = engine.pool
        with suppress(AttributeError):  # pools without counters (in-memory SQLite)
            POOL.labels(role, "in_use").set(pool.checkedout())
            POOL.labels(role, "idle").set(pool.checkedin())
        if database.reader is database.writer:
            break


async def sample_pools_forever(database: Database) -> None:
    """Keep this worker's pool gauges current (each worker reports its own pools)."""
    while True:
        _sample_pools(database)
        await asyncio.sleep(_POOL_INTERVAL)


router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=Response, include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus text exposition of every worker's metrics."""
    _sample_pools(request.app.state.database)
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        payload = generate_latest(registry)
    else:
        payload = generate_latest()
    return Response(payload, media_type=CONTENT_TYPE_LATEST)
