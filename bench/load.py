"""Driving load: wrk runs a Lua script over N connections (closed loop), hey
processes send at a fixed rate (open loop), a prober checks that the server answers."""

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from .shared import LUA, WRK_THREADS, BenchError


def wrk_env(data_file: Path, slots: tuple[int, int]) -> dict[str, str]:
    """What bench/lua/common.lua reads: the data file, and the task slots to PATCH."""
    return {
        **os.environ,
        "BENCH_DATA": str(data_file),
        "BENCH_LUA_DIR": str(LUA),
        "BENCH_THREADS": str(WRK_THREADS),
        "BENCH_SLOT_FROM": str(slots[0]),
        "BENCH_SLOT_TO": str(slots[1]),
    }


def run_wrk(
    url: str, script: str, *, connections: int, duration: int, env: dict[str, str]
) -> dict[str, Any]:
    """wrk's totals, as bench/lua/report.lua prints them."""
    command = [
        "wrk",
        "-t",
        str(min(WRK_THREADS, connections)),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA / script),
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, env=env, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
            return result
    raise BenchError(f"wrk {script} printed no result:\n{done.stdout}\n{done.stderr}")


def closed_loop_record(raw: dict[str, Any]) -> dict[str, Any]:
    """A wrk run's throughput, latencies and statuses."""
    seconds = raw["duration_us"] / 1e6
    statuses = raw["statuses"]
    by_status: Counter[str] = Counter()
    if statuses:
        # "kind:status" keys, counted by the script's response() callback.
        for key, count in statuses.items():
            by_status[key.rsplit(":", 1)[-1]] += count
        non_2xx = sum(n for code, n in by_status.items() if not code.startswith("2"))
        status_source = "script"
    else:
        non_2xx = raw["errors"]["status"]  # wrk counts statuses above 399
        status_source = "wrk (>399)"
    lat = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(lat["p50"] / 1000, 2),
        "p95_ms": round(lat["p95"] / 1000, 2),
        "p99_ms": round(lat["p99"] / 1000, 2),
        "max_ms": round(lat["max"] / 1000, 2),
        "non_2xx": non_2xx,
        "statuses": dict(by_status) or None,
        "statuses_by_kind": statuses or None,
        "status_source": status_source,
        "socket_errors": {k: v for k, v in raw["errors"].items() if k != "status" and v},
    }


@dataclass
class HeyJob:
    """One hey process: `workers` workers repeating one request."""

    kind: str
    method: str
    path: str
    token: str
    workers: int
    body: str | None = None
    headers: list[str] = field(default_factory=list)


def run_hey(
    base_url: str, jobs: list[HeyJob], *, per_worker: float, duration: int
) -> dict[str, Any]:
    """Open loop: many hey processes at once, each `workers x per_worker` req/s."""
    workdir = Path(tempfile.mkdtemp(prefix="hey-"))
    processes: list[tuple[HeyJob, IO[bytes], subprocess.Popen[bytes]]] = []
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    offered = sum(job.workers * per_worker for job in jobs)
    try:
        for number, job in enumerate(jobs):
            command = ["hey", "-z", f"{duration}s", "-c", str(job.workers)]
            command += ["-q", str(per_worker), "-t", "10", "-o", "csv", "-m", job.method]
            command += ["-H", f"Authorization: Bearer {job.token}"]
            for header in job.headers:
                command += ["-H", header]
            if job.body is not None:
                command += ["-T", "application/json", "-d", job.body]
            command.append(base_url + job.path)
            csv: IO[bytes] = open(workdir / f"{number}.csv", "wb")  # noqa: SIM115 (closed below)
            processes.append((job, csv, subprocess.Popen(command, stdout=csv)))
        deadline = time.monotonic() + duration + 60
        for _, out, process in processes:
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
            out.close()
        for number, (job, _, _) in enumerate(processes):
            with open(workdir / f"{number}.csv") as file:
                next(file, None)
                for line in file:
                    parts = line.split(",")
                    latencies.append(float(parts[0]))
                    statuses[parts[6]] += 1
                    by_kind[f"{job.kind}:{parts[6]}"] += 1
    finally:
        for _, out, process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
            out.close()
        shutil.rmtree(workdir, ignore_errors=True)
    latencies.sort()
    completed = len(latencies)
    expected = offered * duration

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return round(latencies[min(completed - 1, int(p / 100 * completed))] * 1000, 2)

    return {
        "requests": completed,
        "offered_rps": round(offered, 1),
        "rps": round(completed / duration, 1),
        # Offered but not answered within the run: each hey worker waits for its
        # response before the next tick, so slow answers leave requests unsent (and
        # an error leaves no line): the generator could not keep the offered rate.
        "shortfall": max(0, round(expected - completed)) if completed < 0.97 * expected else 0,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else 0.0,
        "non_2xx": sum(n for code, n in statuses.items() if not code.startswith("2")),
        "statuses": dict(statuses),
        "statuses_by_kind": dict(by_kind),
        "status_source": "hey csv",
        "socket_errors": {},
    }


class Prober(threading.Thread):
    """One authenticated GET every 250 ms while a load runs: does the server answer?"""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.token = token
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.stop_event = threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(timeout=30) as client:
            while not self.stop_event.is_set():
                started = time.monotonic()
                try:
                    response = client.get(self.url, headers=headers)
                    if response.status_code != 200:
                        self.failures.append(f"status {response.status_code}")
                except httpx.HTTPError as error:
                    self.failures.append(type(error).__name__)
                self.latencies.append(time.monotonic() - started)
                self.stop_event.wait(max(0.0, 0.25 - (time.monotonic() - started)))

    def summary(self) -> dict[str, Any]:
        return {
            "count": len(self.latencies),
            "failures": self.failures[:10],
            "failure_count": len(self.failures),
            "max_ms": round(max(self.latencies, default=0) * 1000, 1),
        }
