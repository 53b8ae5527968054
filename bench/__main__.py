"""`make bench`: Team Notes under load, on SQLite and on PostgreSQL, against its ceiling.

What it does, in one run of at most ten minutes, on loopback only:

1. Installs its load generators when they are missing (bench/tools.py): wrk (closed
   loop, Lua scripts in bench/lua/) and Debian's hey (open loop, `-q` rate limit per
   worker).
2. For each database (SQLite in a fresh temporary directory, then a fresh PostgreSQL
   database that it creates and drops, bench/postgres.py): migrates, seeds users x
   tasks and notes, and a crowd of other users' notes for the crowded search, straight
   through SQLAlchemy Core with the application's own tables (bench/seed.py), mints
   access tokens with the application's TokenIssuer, and starts the production command
   (`teamnotes serve --workers <cores>`, default log level INFO, access log on).
3. Measures the ceiling (bench/ceiling.py: a minimal FastAPI endpoint under the same
   uvicorn settings), then each scenario at 100 connections (bench/scenarios.py), then
   the mixed workload at a fixed offered rate (hey), create at a fixed rate on SQLite,
   and one worker at 256 connections with a probe that watches for stalls
   (bench/phases.py).
4. Reads each server worker's CPU time and peak RSS from /proc, the server's own
   access log for status codes and errors, and writes bench/results/<time>.json,
   bench/results/<time>.md and bench/results/latest.md; prints the table
   (bench/report.py).

Options (for development; `make bench` uses the defaults):

    python -m bench [--duration 10] [--db sqlite,postgresql] [--users 200]
    python -m bench --profile get_task   # py-spy on one scenario (SQLite)

PostgreSQL: BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
is the maintenance database it connects to in order to create and drop its own.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .machine import git_commit, machine_description, versions
from .measure import Phase
from .phases import run_phase
from .postgres import admin_url, postgres_database, postgres_version, with_database
from .profiling import profile
from .report import other_load, write_results
from .scenarios import PATCH_SLOTS
from .seed import CROWD_FACTOR, SeedPlan
from .shared import BUDGET_S, BenchError, log
from .targets import targets
from .tools import ensure_tools


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 10)))
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "sqlite,postgresql"))
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", 200)))
    parser.add_argument("--tasks", type=int, default=500, help="per user")
    parser.add_argument("--notes", type=int, default=100, help="per user")
    parser.add_argument("--profile", metavar="SCENARIO", help="py-spy one scenario on SQLite")
    return parser


def main() -> int:
    parser = arguments()
    args = parser.parse_args()
    if args.tasks < PATCH_SLOTS["stall"][1]:
        parser.error(f"--tasks must be at least {PATCH_SLOTS['stall'][1]} (PATCH slots)")
    databases = [db.strip() for db in args.db.split(",") if db.strip()]
    if unknown := [db for db in databases if db not in ("sqlite", "postgresql")]:
        parser.error(f"unknown database {unknown[0]!r}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    plan = SeedPlan(args.users, args.tasks, args.notes)
    started_wall = datetime.now(UTC)
    started = time.monotonic()
    tools = ensure_tools()
    if args.profile:
        profile(args.profile, args.duration, plan)
        return 0

    meta: dict[str, Any] = {
        "started": started_wall.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(),
        "cores": os.cpu_count(),
        "workers": os.cpu_count(),
        "commit": git_commit(),
        "versions": versions(tools),
        "postgresql": postgres_version() if "postgresql" in databases else None,
        "duration": args.duration,
        "data": (
            f"{plan.users} users x {plan.tasks_per_user} tasks and {plan.notes_per_user} notes "
            f"(≈3 KB of Markdown each), and {CROWD_FACTOR} other users' "
            f"{CROWD_FACTOR * plan.notes_per_user} notes for the crowded search"
        ),
        "load_average_at_start": os.getloadavg(),
        "notes": [],
    }
    phases: list[Phase] = []
    # Each phase gets its share of what is left of the ten minutes.
    for position, db in enumerate(databases):
        remaining = BUDGET_S - 20 - (time.monotonic() - started)
        deadline = time.monotonic() + remaining / (len(databases) - position)
        tmp = Path(tempfile.mkdtemp(prefix=f"teamnotes-bench-{db}-"))
        try:
            if db == "sqlite":
                phase = Phase(db, f"sqlite:///{tmp}/bench.db", tmp, args.duration, plan, deadline)
                phases.append(phase)
                run_phase(phase)
            else:
                with postgres_database() as name:
                    url = with_database(admin_url(), name)
                    phase = Phase(db, url, tmp, args.duration, plan, deadline, pg_database=name)
                    phases.append(phase)
                    run_phase(phase)
        except (BenchError, subprocess.SubprocessError, OSError) as error:
            meta["notes"].append(f"{db}: stopped early: {error}")
            log(f"{db}: stopped early: {error}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    rows = [row for phase in phases for row in phase.rows]
    for phase in phases:
        meta["notes"].extend(f"{phase.db}: {note}" for note in phase.notes)
        meta.setdefault("seed", {})[phase.db] = phase.seed_info
        meta.setdefault("server_logs", {})[phase.db] = phase.server_logs
    meta["total_seconds"] = round(time.monotonic() - started, 1)
    disturbed = [
        f"{r['db']} {r['name']} ({other_load(r):.0%})" for r in rows if other_load(r) > 0.1
    ]
    if disturbed:
        meta["notes"].append(
            "other programs took more than 10 % of the machine during: "
            + ", ".join(disturbed)
            + ": those numbers understate the service"
        )
    stamp = started_wall.strftime("%Y%m%dT%H%M%SZ")
    text = write_results(stamp, meta, rows, targets(rows))
    print()
    print(text)
    log(f"done in {meta['total_seconds']:.0f} s; results in bench/results/{stamp}.{{json,md}}")
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
