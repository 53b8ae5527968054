"""Operations (issue 7): Prometheus metrics, graceful shutdown, console logs."""

import asyncio
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from teamnotes.app import create_app
from teamnotes.config import Settings
from teamnotes.kit.logs import ConsoleFormatter, JSONFormatter, configure_logging
from tests.conftest import make_settings
from tests.factories import PASSWORD, User, make_note, token_user, unique_email
from tests.running_servers import SharedServer, shared_server
from tests.test_server_processes import Servers, errors_in

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(exposition: str) -> Samples:
    """Every sample of a Prometheus text exposition, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def requests_total(found: Samples, method: str, route: str, status_class: str) -> float:
    return value(
        found,
        "teamnotes_http_requests_total",
        method=method,
        route=route,
        status_class=status_class,
    )


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    return samples(response.text)


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


class TestMetrics:
    async def test_is_prometheus_text_that_needs_no_token(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain; version=")
        families = {family.name for family in text_string_to_metric_families(response.text)}
        assert {
            "teamnotes_http_requests",
            "teamnotes_http_request_duration_seconds",
            "teamnotes_http_requests_in_flight",
            "teamnotes_db_pool_connections",
            "teamnotes_login_throttled",
        } <= families

    async def test_requests_are_counted_by_method_route_template_and_status_class(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        before = await scrape(client)
        for _ in range(3):
            await client.get(f"/notes/{note['id']}", headers=alice.headers)
        await client.get("/notes/not-a-note-id", headers=alice.headers)
        await client.patch(f"/notes/{note['id']}", json={"title": "x"}, headers=alice.headers)
        after = await scrape(client)

        def delta(method: str, route: str, status_class: str) -> float:
            return requests_total(after, method, route, status_class) - requests_total(
                before, method, route, status_class
            )

        assert delta("GET", "/notes/{note_id}", "2xx") == 3
        assert delta("GET", "/notes/{note_id}", "4xx") == 1
        assert delta("PATCH", "/notes/{note_id}", "2xx") == 1
        assert delta("GET", "/metrics", "2xx") == 1  # the first scrape

    async def test_no_label_holds_a_raw_path_or_an_id(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        await client.get(f"/notes/{note['id']}/html", headers=alice.headers)
        await client.get(f"/api/{alice.id}/tasks", headers=alice.headers)
        await client.get(f"/no/such/route/{note['id']}")
        found = await scrape(client)
        routes = {dict(labels).get("route") for _, labels in found} - {None}
        assert "/notes/{note_id}/html" in routes
        assert "/api/{user_id}/tasks" in routes
        assert "unmatched" in routes
        uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")
        for _, labels in found:
            for label, text in labels:
                assert not uuid.search(text), (label, text)
        assert not [route for route in routes if route.startswith("/no/")]

    async def test_unusual_methods_share_one_label(self, client: httpx.AsyncClient) -> None:
        before = await scrape(client)
        for method in ("FOOBAR", "BREW", "PROPFIND"):
            response = await client.request(method, "/healthz")
            assert response.status_code == 405
        after = await scrape(client)
        methods = {dict(labels).get("method") for _, labels in after}
        assert not {"FOOBAR", "BREW", "PROPFIND"} & methods
        counted = requests_total(after, "other", "/healthz", "4xx")
        assert counted - requests_total(before, "other", "/healthz", "4xx") == 3

    async def test_latency_is_a_histogram_by_method_and_route(
        self, client: httpx.AsyncClient
    ) -> None:
        before = await scrape(client)
        await client.get("/healthz")
        after = await scrape(client)
        name = "teamnotes_http_request_duration_seconds"
        labels = {"method": "GET", "route": "/healthz"}
        count = value(after, f"{name}_count", **labels) - value(before, f"{name}_count", **labels)
        assert count == 1
        assert value(after, f"{name}_sum", **labels) > 0
        buckets = sorted(
            (float(dict(key)["le"]), number)
            for (sample, key), number in after.items()
            if sample == f"{name}_bucket" and {*labels.items()} <= key
        )
        assert buckets[-1][0] == float("inf")
        assert buckets[-1][1] == value(after, f"{name}_count", **labels)
        counts = [number for _, number in buckets]
        assert counts == sorted(counts)  # cumulative

    async def test_the_scrape_itself_is_in_flight(self, client: httpx.AsyncClient) -> None:
        found = await scrape(client)
        assert value(found, "teamnotes_http_requests_in_flight") >= 1

    async def test_pool_connections_are_reported_by_state(
        self, client: httpx.AsyncClient, backend: str
    ) -> None:
        found = await scrape(client)
        pools = {
            (dict(labels)["engine"], dict(labels)["state"]): number
            for (name, labels), number in found.items()
            if name == "teamnotes_db_pool_connections"
        }
        assert {("writer", "in_use"), ("writer", "idle")} <= pools.keys()
        if backend == "sqlite":  # SQLite reads through a pool of its own
            assert {("reader", "in_use"), ("reader", "idle")} <= pools.keys()
        assert all(number >= 0 for number in pools.values())

    async def test_throttled_logins_are_counted(self, client: httpx.AsyncClient) -> None:
        before = value(await scrape(client), "teamnotes_login_throttled_total")
        email = unique_email()
        statuses = [
            (
                await client.post(
                    "/auth/token", json={"email": email, "password": f"wrong {PASSWORD}"}
                )
            ).status_code
            for _ in range(6)
        ]
        assert statuses == [401] * 5 + [429]
        after = value(await scrape(client), "teamnotes_login_throttled_total")
        assert after - before >= 1

    async def test_metrics_false_turns_the_route_off(
        self, database_url: str, tmp_path: Path
    ) -> None:
        application = create_app(make_settings(database_url, tmp_path, metrics=False))
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                response = await http.get("/metrics")
                assert (await http.get("/healthz")).status_code == 200
        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"

    def test_metrics_setting_reads_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TEAMNOTES_METRICS", "false")
        assert Settings(_env_file=None).metrics is False  # type: ignore[call-arg]


def per_worker_counts(metrics_dir: Path, route: str) -> dict[str, float]:
    """Each worker's own count of GET `route` requests, read from its sample file."""
    counts = {}
    for path in metrics_dir.glob("counter_*.db"):
        total = 0.0
        for key, number, _, _ in MmapedDict.read_all_values_from_file(str(path)):
            _, sample, labels, _ = json.loads(key)
            if sample == "teamnotes_http_requests_total" and labels == {
                "method": "GET",
                "route": route,
                "status_class": "2xx",
            }:
                total += number
        counts[path.name] = total
    return counts


@pytest.mark.slow
class TestMetricsAcrossWorkers:
    @pytest.fixture
    async def server(self, request: pytest.FixtureRequest, database_url: str) -> SharedServer:
        return await shared_server(request, database_url)

    async def test_counts_add_up_over_both_workers(self, server: SharedServer) -> None:
        # A connection per request, and many at once, so that both workers answer.
        limits = httpx.Limits(max_connections=40, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as http:
            before = requests_total(await scrape(http), "GET", "/healthz", "2xx")
            sent = 0
            for _ in range(10):
                responses = await asyncio.gather(*(http.get("/healthz") for _ in range(40)))
                assert {response.status_code for response in responses} == {200}
                sent += len(responses)
                workers = per_worker_counts(server.metrics_dir, "/healthz")
                if sum(1 for count in workers.values() if count > 0) >= 2:
                    break
            assert sum(1 for count in workers.values() if count > 0) >= 2, workers
            # Whichever worker answers a scrape reports every worker's requests.
            for _ in range(6):
                found = await scrape(http)
                assert requests_total(found, "GET", "/healthz", "2xx") - before == sent
                assert requests_total(found, "GET", "/healthz", "2xx") == sum(workers.values())
        assert sent >= 40


@dataclass
class Outcome:
    title: str
    status: int | None = None
    error: str | None = None
    failed_before_sigterm: bool = False


SHUTDOWN_CLIENTS = 20
ACKNOWLEDGED_BEFORE_SIGTERM = 60


@pytest.mark.slow
class TestGracefulShutdown:
    @pytest.fixture
    async def servers(self, tmp_path: Path) -> AsyncIterator[Servers]:
        started = Servers(tmp_path)
        try:
            yield started
        finally:
            started.stop_all()

    async def test_sigterm_under_concurrent_writes_drops_nothing_acknowledged(
        self,
        servers: Servers,
        database_url: str,
        client: httpx.AsyncClient,
        app: FastAPI,
        tmp_path: Path,
    ) -> None:
        """SIGTERM to the server's process group while 20 clients create notes.

        What a client can observe, and what must hold:
        - every request that got an HTTP response got a 201 (no 5xx, nothing else);
        - a request that failed in transport after it was sent (the connection was
          closed or reset before any response) must not have been acted on: its note
          does not exist. The server may close an idle keep-alive connection, or leave
          a connection it never accepted in the listen backlog, and a request sent on
          either is lost without effect, which a client can retry; what must never
          happen is a note created for a request that got no response (an accepted
          request cut off);
        - a refused connection (the server no longer listens) is fine;
        - a request whose body was still arriving at SIGTERM is finished (201);
        - the server exits with status 0 within the bound, logging no error;
        - every note acknowledged with a 201 is in the database afterwards, read by
          a new process of its own (the test's app), as a restarted server reads it.
        """
        server = await servers.start(
            database_url=database_url,
            data_dir=tmp_path / "data",
            workers=2,
            shutdown_timeout="10",
        )
        user = await token_user(app)
        outcomes: list[Outcome] = []
        terminated = asyncio.Event()
        acknowledged = asyncio.Event()

        async def create_in_a_loop(number: int) -> None:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                for attempt in range(10_000):
                    outcome = Outcome(f"c{number}-{attempt}")
                    outcomes.append(outcome)
                    try:
                        response = await http.post(
                            "/notes", json={"title": outcome.title}, headers=user.headers
                        )
                    except httpx.TransportError as error:
                        outcome.error = repr(error)
                        if not terminated.is_set():
                            outcome.failed_before_sigterm = True
                            return
                        if isinstance(error, httpx.ConnectError):
                            return  # nothing listens any more
                        continue
                    outcome.status = response.status_code
                    if sum(o.status == 201 for o in outcomes) >= ACKNOWLEDGED_BEFORE_SIGTERM:
                        acknowledged.set()
                    if response.status_code != 201:
                        return

        body_started = asyncio.Event()

        async def slow_body() -> AsyncIterator[bytes]:
            yield b'{"title": "slow body", '
            body_started.set()
            await asyncio.sleep(1.5)
            yield b'"content": "' + b"s" * 1000 + b'"}'

        async def create_slowly() -> httpx.Response:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                return await http.post(
                    "/notes",
                    content=slow_body(),
                    headers={**user.headers, "Content-Type": "application/json"},
                )

        loops = [asyncio.create_task(create_in_a_loop(n)) for n in range(SHUTDOWN_CLIENTS)]
        await asyncio.wait_for(acknowledged.wait(), timeout=60)
        slow = asyncio.create_task(create_slowly())
        await asyncio.wait_for(body_started.wait(), timeout=10)
        await asyncio.sleep(0.3)  # the request's head has reached a worker

        os.killpg(server.process.pid, signal.SIGTERM)
        terminated.set()
        sigterm_at = time.monotonic()
        try:
            returncode = await asyncio.to_thread(server.process.wait, 20)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the server did not exit within 20 s of SIGTERM:\n{server.output}")
        stopped_in = time.monotonic() - sigterm_at
        await asyncio.wait_for(asyncio.gather(*loops), timeout=30)
        slow_response = await asyncio.wait_for(slow, timeout=30)

        assert returncode == 0, server.output
        assert stopped_in < 10 + 5, stopped_in
        assert errors_in(server.output) == [], server.output
        assert slow_response.status_code == 201, slow_response.text

        stored = await all_titles(client, user)
        assert "slow body" in stored
        responded = [o for o in outcomes if o.status is not None]
        failed = [o for o in outcomes if o.error is not None]
        assert {o.status for o in responded} == {201}, [(o.title, o.status) for o in responded]
        assert {o.title for o in responded} <= stored  # every acknowledged write is kept
        for outcome in failed:
            assert outcome.title not in stored, f"{outcome} was acted on but got no response"
        assert not [o for o in failed if o.failed_before_sigterm], failed
        assert not [o for o in failed if "Timeout" in (o.error or "")], failed
        # Everything stored was asked for, and exactly once.
        assert stored <= {o.title for o in outcomes} | {"slow body"}
        assert len(responded) >= ACKNOWLEDGED_BEFORE_SIGTERM
        # Each client ends either refused or still answered; none hangs.
        assert all(loop.done() for loop in loops)


async def all_titles(client: httpx.AsyncClient, user: User) -> set[str]:
    titles: list[str] = []
    while True:
        page = await client.get(
            "/notes", params={"limit": 100, "offset": len(titles)}, headers=user.headers
        )
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        if not items:
            assert len(titles) == len(set(titles))
            return set(titles)
        titles += [item["title"] for item in items]


class TestLogFormats:
    @pytest.fixture
    def record(self) -> logging.LogRecord:
        record = logging.makeLogRecord(
            {
                "name": "teamnotes.access",
                "levelno": logging.INFO,
                "levelname": "INFO",
                "msg": "request %s",
                "args": ("done",),
                "request_id": "abc123",
                "status": 201,
            }
        )
        record.created = 1_700_000_000.25
        return record

    def test_console_lines_are_for_people(self, record: logging.LogRecord) -> None:
        line = ConsoleFormatter().format(record)
        assert line == "22:13:20.250 INFO    request done request_id=abc123 status=201"
        with pytest.raises(json.JSONDecodeError):
            json.loads(line)

    def test_console_lines_carry_the_traceback(self, record: logging.LogRecord) -> None:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            record.exc_info = sys.exc_info()
        lines = ConsoleFormatter().format(record).splitlines()
        assert lines[0].startswith("22:13:20.250 INFO    request done")
        assert lines[1] == "Traceback (most recent call last):"
        assert lines[-1] == "RuntimeError: boom"

    def test_json_stays_the_default(self, record: logging.LogRecord) -> None:
        entry = json.loads(JSONFormatter().format(record))
        assert entry["message"] == "request done"
        assert entry["request_id"] == "abc123"
        assert entry["level"] == "info"

    @pytest.mark.parametrize(
        ("log_format", "formatter"), [("console", ConsoleFormatter), ("json", JSONFormatter)]
    )
    def test_configure_logging_installs_the_chosen_formatter(
        self, log_format: str, formatter: type[logging.Formatter]
    ) -> None:
        loggers = [logging.getLogger(name) for name in ("teamnotes", "uvicorn.error")]
        saved = [(logger.handlers[:], logger.level, logger.propagate) for logger in loggers]
        try:
            configure_logging("INFO", log_format)
            for logger in loggers:
                assert [type(h.formatter) for h in logger.handlers] == [formatter]
        finally:
            for logger, (handlers, level, propagate) in zip(loggers, saved, strict=True):
                logger.handlers[:] = handlers
                logger.setLevel(level)
                logger.propagate = propagate

    def test_the_environment_chooses_console(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TEAMNOTES_LOG_FORMAT", "console")
        assert Settings(_env_file=None).log_format == "console"  # type: ignore[call-arg]
