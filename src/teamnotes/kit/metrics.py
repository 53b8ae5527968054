"""Prometheus metrics (`GET /metrics`), correct across worker processes.

`teamnotes serve` points PROMETHEUS_MULTIPROC_DIR at a fresh directory before any
worker starts, so every worker writes its samples there and a scrape, answered by
whichever worker, aggregates them all. Labels are the route template, never a raw
path or a user id, so the number of series stays bounded.

The numbers are for the operator, not the world: with `TEAMNOTES_METRICS_TOKEN` set
a scrape needs it as a bearer token; without one, only loopback clients get an answer.
"""

import asyncio
import hmac
import ipaddress
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from pydantic import SecretStr

from teamnotes.kit.db import Database
from teamnotes.kit.errors import InvalidToken, NotAuthenticated, NotFound

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


def forget_this_process() -> None:
    """Drop this worker's live gauges (in-flight requests, pools) as it exits."""
    if os.environ.get(MULTIPROCESS_DIR):
        mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


def _forget_dead_processes(directory: Path) -> None:
    # A worker killed outright never ran forget_this_process: without this, its last
    # in-flight and pool numbers would stay in every sum. Its counters stay, as the
    # requests it answered did happen.
    pids = {path.stem.rpartition("_")[2] for path in directory.glob("gauge_live*_*.db")}
    for pid in pids:
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]
        except PermissionError:
            pass  # alive, under another user


def _is_loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback


def scraper_allowed(request: Request) -> None:
    """The configured bearer token, or, with none configured, a loopback peer."""
    token: SecretStr | None = request.app.state.settings.metrics_token
    if token is None:
        # The socket peer, never X-Forwarded-For, which any client can write.
        if request.client is None or not _is_loopback(request.client.host):
            raise NotFound()
        return
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not sent:
        raise NotAuthenticated()
    if not hmac.compare_digest(sent.encode(), token.get_secret_value().encode()):
        raise InvalidToken()


router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    response_class=Response,
    include_in_schema=False,
    dependencies=[Depends(scraper_allowed)],
)
async def metrics(request: Request) -> Response:
    """Prometheus text exposition of every worker's metrics."""
    _sample_pools(request.app.state.database)
    if directory := os.environ.get(MULTIPROCESS_DIR):
        _forget_dead_processes(Path(directory))
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        payload = generate_latest(registry)
    else:
        payload = generate_latest()
    return Response(payload, media_type=CONTENT_TYPE_LATEST)
