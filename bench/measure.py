"""A database's phase and its measured runs: the resources before and after each run,
and its row of the results, with what the server's own access log says about it."""

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .load import closed_loop_record, run_wrk, wrk_env
from .resources import resources_between, snapshot
from .scenarios import UNPATCHED
from .seed import SeedPlan
from .server import Server, scan_log
from .shared import BENCH, BIN, CONNECTIONS, log

ResultRow = dict[str, Any]  # one run's numbers, as the JSON results hold them


@dataclass
class Phase:
    """One database's part of the run."""

    db: str
    url: str
    tmp: Path
    duration: int
    plan: SeedPlan
    deadline: float
    pg_database: str | None = None
    rows: list[ResultRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    server_logs: dict[str, Any] = field(default_factory=dict)
    ceiling_rps: float | None = None
    seed_info: dict[str, Any] = field(default_factory=dict)

    def time_left(self) -> float:
        return self.deadline - time.monotonic()


class Measurement:
    """Started just before a load run; its record() just after it."""

    def __init__(self, phase: Phase, server: Server, pg_database: str | None) -> None:
        self.phase = phase
        self.server = server
        self.pg_database = pg_database
        self.before = snapshot(server.workers, pg_database)
        self.log_from = server.log_size()

    def record(
        self,
        result: dict[str, Any],
        *,
        name: str,
        label: str,
        kind: str,
        mode: str,
        connections: int,
    ) -> ResultRow:
        phase, server = self.phase, self.server
        resources = resources_between(server.workers, self.before, self.pg_database)
        server.settle()
        server_side = scan_log(server.log_path, self.log_from)
        row = {
            "db": phase.db,
            "name": name,
            "label": label,
            "kind": kind,
            "mode": mode,
            "connections": connections,
            "workers": len(server.workers),
            **result,
            "ratio": (
                round(result["rps"] / phase.ceiling_rps, 3)
                if phase.ceiling_rps and mode == "closed"
                else None
            ),
            **resources,
            "server_log": server_side,
        }
        # CPU per response, from the server's own count: what one request costs, far
        # less sensitive to other load than req/s (contention still inflates it
        # somewhat); 1000 / (the sum) bounds req/s per core.
        served = sum(server_side["statuses"].values()) or result["requests"]
        row["server_cpu_ms_per_request"] = round(sum(resources["server_cpu_s"]) * 1000 / served, 3)
        row["db_cpu_ms_per_request"] = (
            None
            if resources["db_cpu_s"] is None
            else round(resources["db_cpu_s"] * 1000 / served, 3)
        )
        phase.rows.append(row)
        errors = len(server_side["errors"])
        log(
            f"{phase.db:10} {label:38} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:7.1f}  "
            f"p95 {result['p95_ms']:7.1f}  p99 {result['p99_ms']:7.1f} ms  "
            f"non-2xx {result['non_2xx']}"
            + (f"  server errors {errors}" if errors else "")
            + (f"  socket errors {result['socket_errors']}" if result.get("socket_errors") else "")
        )
        return row


def measure_ceiling(phase: Phase) -> None:
    """bench/ceiling.py under the same load: what every scenario is a share of."""
    workers = os.cpu_count() or 1
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMNOTES_")}
    server = Server(
        "ceiling",
        [str(BIN / "python"), str(BENCH / "ceiling.py"), "--workers", str(workers)],
        env=env,
        cwd=phase.tmp,
    )
    no_data = wrk_env(Path("/dev/null"), UNPATCHED)
    try:
        server.start("/ceiling", workers)
        # A short warm-up, then the measured run.
        url = server.url + "/ceiling"
        run_wrk(url, "ceiling.lua", connections=CONNECTIONS, duration=2, env=no_data)
        measurement = Measurement(phase, server, None)
        raw = run_wrk(
            url, "ceiling.lua", connections=CONNECTIONS, duration=phase.duration, env=no_data
        )
        result = closed_loop_record(raw)
        phase.ceiling_rps = result["rps"]
        measurement.record(
            result,
            name="ceiling",
            label="CEILING: minimal FastAPI endpoint",
            kind="ceiling",
            mode="closed",
            connections=CONNECTIONS,
        )
    finally:
        server.stop()
