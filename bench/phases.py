"""One database's phase: the ceiling, the data, then every scenario against
`teamnotes serve` with a worker per core, and one worker at 256 connections."""

import asyncio
import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from .load import HeyJob, Prober, closed_loop_record, run_hey, run_wrk, wrk_env
from .measure import Measurement, Phase, measure_ceiling
from .resources import rss_mb
from .scenarios import (
    PATCH_SLOTS,
    SCENARIOS,
    UNPATCHED,
    open_loop_creates,
    open_loop_mix,
    patch_slots,
)
from .seed import CROWDED_SEARCHER, Seeded, seed, write_lua_data
from .server import Server, scan_log, teamnotes_env, teamnotes_serve
from .shared import (
    BIN,
    CONNECTIONS,
    OPEN_LOOP_CREATE_RATE,
    OPEN_LOOP_PER_WORKER,
    OPEN_LOOP_RATE,
    STALL_CONNECTIONS,
    BenchError,
    log,
)


@dataclass
class DataFiles:
    """The data files of bench/lua/common.lua: with each user's JWT, with their API key."""

    tokens: Path
    keys: Path

    def of(self, api_key: bool) -> Path:
        return self.keys if api_key else self.tokens


def prepare_data(phase: Phase, env: dict[str, str], secret: str) -> tuple[Seeded, DataFiles]:
    """The phase's database migrated and seeded, and the data files written."""
    (phase.tmp / "data").mkdir(exist_ok=True)
    log(f"{phase.db}: migrating")
    subprocess.run(
        [str(BIN / "teamnotes"), "migrate"], cwd=phase.tmp, env=env, check=True, timeout=120
    )
    log(
        f"{phase.db}: seeding {phase.plan.users} users x {phase.plan.tasks_per_user} tasks "
        f"and {phase.plan.notes_per_user} notes"
    )
    seeded = asyncio.run(seed(phase.url, phase.plan, secret))
    phase.seed_info = {
        "users": phase.plan.users,
        "tasks": phase.plan.users * phase.plan.tasks_per_user,
        "notes": phase.plan.users * phase.plan.notes_per_user,
        "crowd_notes": seeded.crowd_notes,
        "note_content_mb": round(seeded.note_bytes / 1e6, 1),
        "seconds": round(seeded.seconds, 1),
    }
    log(f"{phase.db}: seeded in {seeded.seconds:.1f} s ({phase.seed_info})")
    files = DataFiles(phase.tmp / "bench-data.txt", phase.tmp / "bench-data-keys.txt")
    write_lua_data(seeded, files.tokens)
    write_lua_data(seeded, files.keys, keys=True)
    return seeded, files


def sanity_check(server: Server, seeded: Seeded) -> None:
    """One request of each kind must succeed before any load is worth measuring."""
    checks = [
        (0, "GET", f"/notes/{seeded.notes[0][0]}", None),
        (0, "GET", f"/tasks/{seeded.tasks[0][0]}", None),
        (0, "GET", "/tasks?status=pending&sort=-due_at&limit=20", None),
        (0, "GET", f"/notes?q={seeded.queries[0]}", None),
        (CROWDED_SEARCHER, "GET", f"/notes?q={seeded.crowded_queries[0]}", None),
        (0, "POST", "/tasks", {"title": "Sanity check"}),
    ]
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for user, method, path, body in checks:
            headers = {"Authorization": f"Bearer {seeded.tokens[user]}"}
            response = client.request(method, path, json=body, headers=headers)
            if response.status_code >= 300:
                raise BenchError(
                    f"{method} {path} answered {response.status_code}: {response.text[:500]}"
                )


def run_phase(phase: Phase) -> None:
    secret = secrets.token_urlsafe(48)
    env = teamnotes_env(phase.url, phase.tmp / "data", secret)
    log(f"{phase.db}: measuring the ceiling")
    measure_ceiling(phase)
    seeded, files = prepare_data(phase, env, secret)
    run_all_workers(phase, env, seeded, files)
    # One worker, 256 connections: it must keep serving.
    if phase.time_left() < phase.duration + 15:
        phase.notes.append("skipped 1 worker x 256 connections: out of time")
        return
    run_stall(phase, env, seeded, files)


def run_all_workers(phase: Phase, env: dict[str, str], seeded: Seeded, files: DataFiles) -> None:
    """Every scenario, then the open loops, on a worker per core."""
    workers = os.cpu_count() or 1
    server = Server(f"teamnotes-{phase.db}", teamnotes_serve(workers), env=env, cwd=phase.tmp)
    try:
        server.start("/readyz", workers)
        phase.seed_info["worker_rss_after_start_mb"] = [rss_mb(pid) for pid in server.workers]
        sanity_check(server, seeded)
        warm_up(phase, server, files)
        for scenario in SCENARIOS:
            if phase.time_left() < phase.duration + 5:
                phase.notes.append(f"skipped {scenario.name}: out of time")
                continue
            measurement = Measurement(phase, server, phase.pg_database)
            raw = run_wrk(
                server.url,
                scenario.script,
                connections=CONNECTIONS,
                duration=phase.duration,
                env=wrk_env(files.of(scenario.api_key), patch_slots(scenario.name)),
            )
            measurement.record(
                closed_loop_record(raw),
                name=scenario.name,
                label=scenario.label,
                kind=scenario.kind,
                mode="closed",
                connections=CONNECTIONS,
            )
        open_loop(
            phase,
            server,
            open_loop_mix(seeded, OPEN_LOOP_RATE),
            name="open_mixed",
            label=f"mixed at a fixed {OPEN_LOOP_RATE} req/s (open loop)",
            kind="mixed",
        )
        if phase.db == "sqlite":
            open_loop(
                phase,
                server,
                open_loop_creates(seeded, OPEN_LOOP_CREATE_RATE),
                name="open_create",
                label=f"create at a fixed {OPEN_LOOP_CREATE_RATE} req/s (open loop)",
                kind="write",
            )
    finally:
        server.stop()
        phase.server_logs[f"{workers} workers"] = scan_log(server.log_path, 0)


def warm_up(phase: Phase, server: Server, files: DataFiles) -> None:
    """Every read path once around, not measured."""
    log_from = server.log_size()
    for scenario in SCENARIOS:
        if scenario.kind == "read":
            env = wrk_env(files.of(scenario.api_key), UNPATCHED)
            run_wrk(server.url, scenario.script, connections=CONNECTIONS, duration=1, env=env)
    # Slow searches are still being answered when wrk stops: not during the first run.
    server.settle()
    warm = scan_log(server.log_path, log_from)
    if warm["errors"]:
        phase.notes.append(f"errors in the server log during warm-up: {warm['errors'][:3]}")


def open_loop(
    phase: Phase, server: Server, jobs: list[HeyJob], *, name: str, label: str, kind: str
) -> None:
    """A workload at a fixed offered rate, with hey."""
    if phase.time_left() <= phase.duration + 10:
        phase.notes.append(f"skipped {name}: out of time")
        return
    measurement = Measurement(phase, server, phase.pg_database)
    result = run_hey(server.url, jobs, per_worker=OPEN_LOOP_PER_WORKER, duration=phase.duration)
    measurement.record(
        result,
        name=name,
        label=label,
        kind=kind,
        mode="open",
        connections=sum(job.workers for job in jobs),
    )


def run_stall(phase: Phase, env: dict[str, str], seeded: Seeded, files: DataFiles) -> None:
    """The mixed workload on one worker over 256 connections, probed every 250 ms."""
    server = Server(f"teamnotes-{phase.db}-1worker", teamnotes_serve(1), env=env, cwd=phase.tmp)
    try:
        server.start("/readyz", 1)
        prober = Prober(f"{server.url}/tasks/{seeded.tasks[-1][0]}", seeded.tokens[-1])
        measurement = Measurement(phase, server, phase.pg_database)
        prober.start()
        try:
            raw = run_wrk(
                server.url,
                "mixed.lua",
                connections=STALL_CONNECTIONS,
                duration=phase.duration,
                env=wrk_env(files.tokens, PATCH_SLOTS["stall"]),
            )
        finally:
            prober.stop_event.set()
            prober.join(timeout=10)
        measurement.record(
            {**closed_loop_record(raw), "probe": prober.summary()},
            name="stall",
            label=f"mixed, 1 worker x {STALL_CONNECTIONS} connections",
            kind="mixed",
            mode="closed",
            connections=STALL_CONNECTIONS,
        )
    finally:
        server.stop()
        phase.server_logs["1 worker"] = scan_log(server.log_path, 0)
