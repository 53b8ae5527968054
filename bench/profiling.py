"""`--profile SCENARIO`: py-spy on the workers while one scenario runs on SQLite, and
the top frames and packages by own time, in bench/results/profile-<scenario>-<time>."""

import gzip
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from .load import closed_loop_record, run_wrk, wrk_env
from .measure import Phase
from .phases import prepare_data
from .scenarios import SCENARIOS, UNPATCHED, patch_slots
from .seed import SeedPlan
from .server import Server, teamnotes_env, teamnotes_serve
from .shared import BIN, CONNECTIONS, RESULTS, BenchError

# The packages that a request's work goes through, for the inclusive-time table.
INCLUSIVE_PACKAGES = {
    "sqlalchemy", "aiosqlite", "asyncpg", "pydantic", "jwt", "logging", "json",
    "prometheus_client", "teamnotes", "fastapi", "starlette",
}  # fmt: skip


def profile(name: str, duration: int, plan: SeedPlan) -> None:
    py_spy = shutil.which("py-spy") or str(BIN / "py-spy")
    if not Path(py_spy).exists():
        raise BenchError("py-spy is not installed: .venv/bin/pip install py-spy")
    scenario = next(s for s in SCENARIOS if s.name == name)
    tmp = Path(tempfile.mkdtemp(prefix="teamnotes-bench-"))
    phase = Phase("sqlite", f"sqlite:///{tmp}/bench.db", tmp, duration, plan, time.monotonic())
    workers = os.cpu_count() or 1
    secret = secrets.token_urlsafe(48)
    env = teamnotes_env(phase.url, tmp / "data", secret)
    server = Server("teamnotes-profile", teamnotes_serve(workers), env=env, cwd=tmp)
    try:
        _, files = prepare_data(phase, env, secret)
        data = files.of(scenario.api_key)
        server.start("/readyz", workers)
        warm = wrk_env(data, UNPATCHED)
        run_wrk(server.url, scenario.script, connections=CONNECTIONS, duration=2, env=warm)
        raw_path = tmp / "profile.txt"
        assert server.process is not None
        mode = os.environ.get("BENCH_PYSPY_ARGS", "--gil")
        spy = subprocess.Popen(
            [
                py_spy, "record", "--pid", str(server.process.pid), "--subprocesses",
                "--duration", str(duration), "--rate", "200", "--nolineno",
                "--format", "raw", "--output", str(raw_path), *mode.split(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        raw = run_wrk(
            server.url,
            scenario.script,
            connections=CONNECTIONS,
            duration=duration + 2,
            env=wrk_env(data, patch_slots(name)),
        )
        spy.wait(timeout=60)
        result = closed_loop_record(raw)
        own, own_package, inclusive, total = summarize_profile(raw_path.read_text())
        report = [
            f"# py-spy: {name} on SQLite, {workers} workers, {CONNECTIONS} connections",
            "",
            f"{result['rps']:.0f} req/s under py-spy; {total} samples at 200 Hz over both "
            f"workers in {duration} s, py-spy {mode} (with --gil: only while holding the GIL, "
            "i.e. Python-level CPU; SQLite's own C code runs without it).",
            "",
            "| own % | samples | frame |",
            "|--:|--:|---|",
        ]
        for frame, count in own.most_common(15):
            report.append(f"| {100 * count / total:.1f} | {count} | `{frame}` |")
        report += ["", "| own % | package |", "|--:|---|"]
        for package, count in own_package.most_common(12):
            report.append(f"| {100 * count / total:.1f} | {package} |")
        report += ["", "| inclusive % | package (any of its frames on the stack) |", "|--:|---|"]
        for package, count in inclusive.most_common():
            report.append(f"| {100 * count / total:.1f} | {package} |")
        text = "\n".join(report) + "\n"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"profile-{name}-{stamp}.md").write_text(text)
        # The stacks themselves, for a flame graph (e.g. `flamegraph.pl` or speedscope).
        with (
            open(raw_path, "rb") as source,
            gzip.open(RESULTS / f"profile-{name}-{stamp}.collapsed.txt.gz", "wb") as target,
        ):
            shutil.copyfileobj(source, target)
        print(text)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _package(frame: str) -> str:
    """`func (sqlalchemy/orm/session.py)` -> sqlalchemy; stdlib modules by name."""
    match = re.search(r"\(([^)]*\.py)\)$", frame)
    if not match:
        return "(no Python frame)"
    return match[1].split("/", 1)[0].removesuffix(".py")


def summarize_profile(collapsed: str) -> tuple[Counter[str], Counter[str], Counter[str], int]:
    """Own time per frame and per package, and inclusive time of INCLUSIVE_PACKAGES,
    from py-spy's raw (collapsed) output."""
    own: Counter[str] = Counter()
    own_package: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        # Process and thread labels (a worker's command line even holds a ';') are
        # not frames: frames end in "(file.py)".
        frames = [f for f in stack.split(";") if re.search(r"\([^()]*\.py\)$", f)]
        leaf = frames[-1] if frames else "(no Python frame)"
        own[leaf] += count
        own_package[_package(leaf)] += count
        for package in {_package(frame) for frame in frames} & INCLUSIVE_PACKAGES:
            inclusive[package] += count
        total += count
    return own, own_package, inclusive, total
