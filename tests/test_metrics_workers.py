"""Metrics of several worker processes, each writing its samples to the directory
that PROMETHEUS_MULTIPROC_DIR names: their counts add up, and the live gauges
(in-flight requests, pool connections) of a worker that has exited, cleanly or by
SIGKILL, leave the sums."""

import asyncio
import json
import os
import signal
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.mmap_dict import MmapedDict, mmap_key

from tests.running_servers import SharedServer, shared_server
from tests.servers import Servers
from tests.test_metrics import requests_total, scrape, value

T = TypeVar("T")
POOL = "teamnotes_db_pool_connections"
WRITER_IDLE = {"engine": "writer", "state": "idle"}
HEALTHZ_OK = {"method": "GET", "route": "/healthz", "status_class": "2xx"}


def write_sample(path: Path, metric: str, name: str, labels: dict[str, str], number: float) -> None:
    """A sample as a worker process writes it."""
    samples = MmapedDict(str(path))
    try:
        samples.write_value(
            mmap_key(metric, name, list(labels), list(labels.values()), ""), number, 0
        )
    finally:
        samples.close()


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()  # reaped: no process has this id any more
    return process.pid


def gauge_pids(metrics_dir: Path) -> set[int]:
    return {int(path.stem.rpartition("_")[2]) for path in metrics_dir.glob("gauge_live*_*.db")}


async def eventually(
    probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], seconds: float = 15.0
) -> T:
    """The probe's first result that is done, within a bound; the last one otherwise."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        found = await probe()
        if done(found) or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.1)


class TestDeadProcesses:
    async def test_a_scrape_drops_the_live_gauges_of_a_process_that_is_gone(
        self, app: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
        gone, alive = dead_pid(), os.getpid()
        write_sample(tmp_path / f"gauge_livesum_{gone}.db", POOL, POOL, WRITER_IDLE, 1000)
        write_sample(tmp_path / f"gauge_livesum_{alive}.db", POOL, POOL, WRITER_IDLE, 7)
        counter = "teamnotes_http_requests"
        write_sample(tmp_path / f"counter_{gone}.db", counter, f"{counter}_total", HEALTHZ_OK, 5)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            found = await scrape(http)
        assert value(found, POOL, **WRITER_IDLE) == 7
        assert gauge_pids(tmp_path) == {alive}
        # What the dead process counted did happen: its counters stay.
        assert requests_total(found, "GET", "/healthz", "2xx") == 5

    @pytest.mark.slow
    async def test_a_killed_worker_leaves_the_sums_and_a_stopped_server_leaves_none(
        self, tmp_path: Path
    ) -> None:
        # Nothing here depends on the engine: one SQLite file will do.
        servers = Servers(tmp_path)
        try:
            server = await servers.start(
                database_url=f"sqlite:///{tmp_path / 'workers.db'}",
                data_dir=tmp_path / "data",
                workers=2,
            )
            metrics_dir = tmp_path / "metrics-0"  # Servers names the first one's so
            # A connection per scrape: one kept alive could be the killed worker's.
            limits = httpx.Limits(max_keepalive_connections=0)
            async with httpx.AsyncClient(base_url=server.url, timeout=5, limits=limits) as http:

                async def after_a_scrape() -> set[int]:
                    await scrape(http)
                    return gauge_pids(metrics_dir)

                workers = await eventually(after_a_scrape, lambda pids: len(pids) == 2)
                assert len(workers) == 2, workers
                victim = min(workers)
                os.kill(victim, signal.SIGKILL)
                # Until uvicorn reaps the dead worker, its id still names a process.
                left = await eventually(after_a_scrape, lambda pids: victim not in pids)
            assert victim not in left
            assert (metrics_dir / f"counter_{victim}.db").exists()
            server.stop(signal.SIGTERM)
            assert server.process.returncode == 0, server.output
            # Each worker forgot its own gauges on the way out.
            assert gauge_pids(metrics_dir) == set()
        finally:
            servers.stop_all()


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
