"""Prometheus metrics (issue 7): what a scrape reports, in one process and summed
over the workers of a real server. Who may scrape: test_metrics_access.py."""

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from teamnotes.app import create_app
from teamnotes.config import Settings
from tests.conftest import make_settings
from tests.factories import PASSWORD, User, make_note, token_user, unique_email

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


@pytest.fixture
async def scraper(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A scraper on the same machine: without a token, /metrics answers loopback only."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


class TestMetrics:
    async def test_is_prometheus_text(self, scraper: httpx.AsyncClient) -> None:
        response = await scraper.get("/metrics")
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
        self, client: httpx.AsyncClient, scraper: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        before = await scrape(scraper)
        for _ in range(3):
            await client.get(f"/notes/{note['id']}", headers=alice.headers)
        await client.get("/notes/not-a-note-id", headers=alice.headers)
        await client.patch(f"/notes/{note['id']}", json={"title": "x"}, headers=alice.headers)
        after = await scrape(scraper)

        def delta(method: str, route: str, status_class: str) -> float:
            return requests_total(after, method, route, status_class) - requests_total(
                before, method, route, status_class
            )

        assert delta("GET", "/notes/{note_id}", "2xx") == 3
        assert delta("GET", "/notes/{note_id}", "4xx") == 1
        assert delta("PATCH", "/notes/{note_id}", "2xx") == 1
        assert delta("GET", "/metrics", "2xx") == 1  # the first scrape

    async def test_no_label_holds_a_raw_path_or_an_id(
        self, client: httpx.AsyncClient, scraper: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        await client.get(f"/notes/{note['id']}/html", headers=alice.headers)
        await client.get(f"/api/{alice.id}/tasks", headers=alice.headers)
        await client.get(f"/no/such/route/{note['id']}")
        found = await scrape(scraper)
        routes = {dict(labels).get("route") for _, labels in found} - {None}
        assert "/notes/{note_id}/html" in routes
        assert "/api/{user_id}/tasks" in routes
        assert "unmatched" in routes
        uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")
        for _, labels in found:
            for label, text in labels:
                assert not uuid.search(text), (label, text)
        assert not [route for route in routes if route.startswith("/no/")]

    async def test_unusual_methods_share_one_label(
        self, client: httpx.AsyncClient, scraper: httpx.AsyncClient
    ) -> None:
        before = await scrape(scraper)
        for method in ("FOOBAR", "BREW", "PROPFIND"):
            response = await client.request(method, "/healthz")
            assert response.status_code == 405
        after = await scrape(scraper)
        methods = {dict(labels).get("method") for _, labels in after}
        assert not {"FOOBAR", "BREW", "PROPFIND"} & methods
        counted = requests_total(after, "other", "/healthz", "4xx")
        assert counted - requests_total(before, "other", "/healthz", "4xx") == 3

    async def test_latency_is_a_histogram_by_method_and_route(
        self, client: httpx.AsyncClient, scraper: httpx.AsyncClient
    ) -> None:
        before = await scrape(scraper)
        await client.get("/healthz")
        after = await scrape(scraper)
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

    async def test_the_scrape_itself_is_in_flight(self, scraper: httpx.AsyncClient) -> None:
        found = await scrape(scraper)
        assert value(found, "teamnotes_http_requests_in_flight") >= 1

    async def test_pool_connections_are_reported_by_state(
        self, scraper: httpx.AsyncClient, backend: str
    ) -> None:
        found = await scrape(scraper)
        pools = {
            (dict(labels)["engine"], dict(labels)["state"]): number
            for (name, labels), number in found.items()
            if name == "teamnotes_db_pool_connections"
        }
        assert {("writer", "in_use"), ("writer", "idle")} <= pools.keys()
        if backend == "sqlite":  # SQLite reads through a pool of its own
            assert {("reader", "in_use"), ("reader", "idle")} <= pools.keys()
        assert all(number >= 0 for number in pools.values())

    async def test_throttled_logins_are_counted(
        self, client: httpx.AsyncClient, scraper: httpx.AsyncClient
    ) -> None:
        before = value(await scrape(scraper), "teamnotes_login_throttled_total")
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
        after = value(await scrape(scraper), "teamnotes_login_throttled_total")
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
