"""The targets (issue 15, which keeps issue 6's), checked against a run's rows."""

from typing import Any

from .measure import ResultRow
from .seed import CROWD_FACTOR
from .shared import OPEN_LOOP_CREATE_RATE, OPEN_LOOP_RATE, STALL_CONNECTIONS

READ_P95_MS = 200
WRITE_P95_MS = 500
CROWDED_SEARCH_SHARE = 0.8  # of the plain search's req/s: within 20 %
SEARCH_BAR = 0.10  # of the ceiling, on both engines
POSTGRES_WRITE_RPS = 1200

TargetCheck = dict[str, Any]  # target, db, ok, measured, bar


def targets(rows: list[ResultRow]) -> list[TargetCheck]:
    """The issue's targets, checked against this run's numbers."""
    found: list[TargetCheck] = []

    def row(db: str, name: str) -> ResultRow | None:
        return next((r for r in rows if r["db"] == db and r["name"] == name), None)

    def add(target: str, db: str, ok: bool, measured: str, bar: str) -> None:
        found.append({"target": target, "db": db, "ok": ok, "measured": measured, "bar": bar})

    for db, read_bar, list_bar in (("sqlite", 0.40, 0.25), ("postgresql", 0.25, 0.15)):
        for name, target, bar in (
            ("get_note", "read one item (get_note)", read_bar),
            ("get_task", "read one item (get_task)", read_bar),
            ("get_team_note", "read one item (get_team_note)", read_bar),
            ("list_tasks", "list 20, filter + sort", list_bar),
            ("search", "search", SEARCH_BAR),
        ):
            if (r := row(db, name)) and r["ratio"] is not None:
                add(
                    target,
                    db,
                    r["ratio"] >= bar,
                    f"{r['ratio']:.1%} of ceiling ({r['rps']:.0f} req/s)",
                    f"≥ {bar:.0%}",
                )
        if (plain := row(db, "search")) and (crowded := row(db, "search_crowded")):
            share = crowded["rps"] / plain["rps"] if plain["rps"] else 0.0
            add(
                f"search with {CROWD_FACTOR}x the matches elsewhere, against plain search",
                db,
                share >= CROWDED_SEARCH_SHARE,
                f"{crowded['rps']:.0f} against {plain['rps']:.0f} req/s ({share:.0%}); "
                f"CPU {crowded['server_cpu_ms_per_request']:.2f} against "
                f"{plain['server_cpu_ms_per_request']:.2f} ms/req",
                f"≥ {CROWDED_SEARCH_SHARE:.0%} of its req/s",
            )
        if r := row(db, "open_mixed"):
            shortfall = r["offered_rps"] - r["rps"]
            ok = r["p99_ms"] <= 50 and r["non_2xx"] == 0 and r["shortfall"] == 0
            add(
                f"mixed at {OPEN_LOOP_RATE} req/s (open loop): p99, non-2xx",
                db,
                ok,
                f"p99 {r['p99_ms']:.1f} ms, {r['non_2xx']} non-2xx, "
                f"{r['rps']:.0f} of {r['offered_rps']:.0f} req/s served"
                + (f" ({shortfall:.0f} short)" if shortfall > 0.03 * r["offered_rps"] else ""),
                "p99 ≤ 50 ms, 0 non-2xx",
            )
        for r in (r for r in rows if r["db"] == db and r["mode"] == "closed"):
            if r["name"] in ("ceiling", "stall"):
                continue
            bar_ms = WRITE_P95_MS if r["kind"] == "write" else READ_P95_MS
            add(
                f"100 connections: p95, non-2xx ({r['name']})",
                db,
                r["p95_ms"] <= bar_ms and r["non_2xx"] == 0 and not r["socket_errors"],
                f"p95 {r['p95_ms']:.0f} ms, {r['non_2xx']} non-2xx"
                + (f", socket errors {r['socket_errors']}" if r["socket_errors"] else ""),
                f"p95 ≤ {bar_ms} ms, 0 non-2xx",
            )
        if r := row(db, "stall"):
            probe = r["probe"]
            seconds = r["server_log"]["responses_per_second"] or {"min": 0, "seconds": 0}
            ok = (
                seconds["min"] > 0
                and probe["failure_count"] == 0
                and not r["socket_errors"].get("timeout")
            )
            add(
                f"1 worker x {STALL_CONNECTIONS} connections keeps serving",
                db,
                ok,
                f"{r['rps']:.0f} req/s; fewest responses in any of {seconds['seconds']} whole "
                f"seconds: {seconds['min']}; p99 {r['p99_ms']:.0f} ms, max {r['max_ms']:.0f} ms; "
                f"probe every 250 ms: {probe['count']} answered, "
                f"{probe['failure_count']} failed, slowest {probe['max_ms']:.0f} ms",
                "every second serves, 0 errors",
            )
        peaks = [
            mb
            for r in rows
            if r["db"] == db and r["name"] != "ceiling"
            for mb in r["server_peak_rss_mb"]
        ]
        if peaks:
            add(
                "peak RSS per worker after the whole run",
                db,
                max(peaks) <= 150,
                f"{max(peaks):.0f} MB",
                "≤ 150 MB",
            )
    if r := row("sqlite", "create_task"):
        add(
            "create on SQLite, saturating",
            "sqlite",
            r["rps"] >= 1500 and r["non_2xx"] == 0,
            f"{r['rps']:.0f} req/s, {r['non_2xx']} non-2xx",
            "≥ 1,500 req/s, 0 errors",
        )
    for name in ("create_task", "patch_task"):
        if r := row("postgresql", name):
            add(
                f"{name} on PostgreSQL, saturating",
                "postgresql",
                r["rps"] >= POSTGRES_WRITE_RPS and r["non_2xx"] == 0,
                f"{r['rps']:.0f} req/s, {r['non_2xx']} non-2xx",
                f"≥ {POSTGRES_WRITE_RPS:,} req/s, 0 errors",
            )
    if r := row("sqlite", "open_create"):
        add(
            f"create on SQLite at {OPEN_LOOP_CREATE_RATE} req/s (open loop)",
            "sqlite",
            r["p99_ms"] <= 100 and r["non_2xx"] == 0 and r["shortfall"] == 0,
            f"p99 {r['p99_ms']:.1f} ms, {r['non_2xx']} non-2xx, {r['rps']:.0f} req/s served",
            "p99 ≤ 100 ms",
        )
    return found
