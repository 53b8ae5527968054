"""The probes (API.md §5): liveness, readiness and health."""

from collections.abc import Callable
from pathlib import Path

import httpx
from fastapi import FastAPI

from teamnotes import __version__
from tests.conftest import migrate
from tests.conventions.support import assert_error_body, client_of


class TestProbes:
    async def test_liveness(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    async def test_readiness(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {"status": "ready"}

    async def test_health_reports_version_and_database_latency(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/health")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["version"] == __version__
        assert body["database"]["status"] == "ok"
        assert isinstance(body["database"]["latency_ms"], int | float)
        assert 0 <= body["database"]["latency_ms"] < 2000

    async def test_a_database_without_the_schema_is_not_ready_until_migrated(
        self, make_app: Callable[..., FastAPI], tmp_path: Path
    ) -> None:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        application = make_app(url)
        async with client_of(application) as http:
            response = await http.get("/readyz")
            body = assert_error_body(response, 503, "service_unavailable")
            assert body["status"] == "unavailable"
            assert body["field"] is None
            await migrate(url)
            response = await http.get("/readyz")
            assert response.status_code == 200
            assert response.json() == {"status": "ready"}

    async def test_an_unreachable_database_is_unavailable_but_the_process_is_alive(
        self, make_app: Callable[..., FastAPI], tmp_path: Path
    ) -> None:
        application = make_app(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
        async with client_of(application) as http:
            ready = await http.get("/readyz")
            body = assert_error_body(ready, 503, "service_unavailable")
            assert body["status"] == "unavailable"
            health = await http.get("/health")
            body = assert_error_body(health, 503, "service_unavailable")
            assert body["status"] == "unavailable"
            assert body["version"] == __version__
            assert body["database"] == {"status": "unavailable", "latency_ms": None}
            live = await http.get("/healthz")
            assert live.status_code == 200
