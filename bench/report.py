"""The results: bench/results/<time>.json and <time>.md, and latest.md (the Markdown)."""

import json
import os
from typing import Any

from .measure import ResultRow
from .shared import OPEN_LOOP_PER_WORKER, RESULTS, WRK_THREADS
from .targets import TargetCheck


def other_load(row: ResultRow) -> float:
    """The share of the machine's CPU that went to other programs during a run."""
    capacity = row["wall_s"] * (os.cpu_count() or 1)
    return float(row["other_cpu_s"] / capacity) if capacity else 0.0


def _fmt_list(values: list[float], digits: int = 1) -> str:
    return " / ".join(f"{v:.{digits}f}" for v in values)


def _rps(row: ResultRow) -> str:
    return f"{row['rps']:.0f}" + (f" of {row['offered_rps']:.0f}" if row["mode"] == "open" else "")


def summary_table(rows: list[ResultRow]) -> list[str]:
    """Both databases side by side: req/s, share of the ceiling, p95, CPU per request."""
    databases = list(dict.fromkeys(r["db"] for r in rows))
    names = list(dict.fromkeys(r["name"] for r in rows))
    header = "| scenario |" + "".join(
        f" {db}: req/s | of ceiling | p50 / p95 / p99 ms | non-2xx | CPU ms/req |"
        for db in databases
    )
    lines = [header, "|---|" + "--:|--:|--:|--:|--:|" * len(databases)]
    for name in names:
        found = {r["db"]: r for r in rows if r["name"] == name}
        label = next(iter(found.values()))["label"]
        cells = []
        for db in databases:
            r = found.get(db)
            if r is None:
                cells.append(" — | — | — | — | — |")
                continue
            ratio = f"{r['ratio']:.1%}" if r["ratio"] is not None else "—"
            cpu = f"{r['server_cpu_ms_per_request']:.2f}"
            if r["db_cpu_ms_per_request"] is not None:
                cpu += f" + {r['db_cpu_ms_per_request']:.2f} PG"
            cells.append(
                f" {_rps(r)} | {ratio} | {r['p50_ms']:.0f} / {r['p95_ms']:.0f} / "
                f"{r['p99_ms']:.0f} | {r['non_2xx']} | {cpu} |"
            )
        lines.append(f"| {label} |" + "".join(cells))
    return lines


def all_numbers_table(rows: list[ResultRow]) -> list[str]:
    lines = [
        "| DB | scenario | conns | req/s | of ceiling | p50 ms | p95 ms | p99 ms | non-2xx "
        "| server CPU s (per worker) | server CPU ms/req | PG CPU ms/req "
        "| peak RSS MB (per worker) | load-gen CPU s | other load |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "—"
        rps = _rps(r)
        pg_cpu = "—" if r["db_cpu_ms_per_request"] is None else f"{r['db_cpu_ms_per_request']:.2f}"
        non_2xx = str(r["non_2xx"])
        if r.get("shortfall"):
            rps += f" ({r['shortfall']} short)"
        if r.get("socket_errors"):
            non_2xx += f" (sockets: {r['socket_errors']})"
        lines.append(
            f"| {r['db']} | {r['label']} | {r['connections']} | {rps} | {ratio} "
            f"| {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {non_2xx} "
            f"| {_fmt_list(r['server_cpu_s'])} | {r['server_cpu_ms_per_request']:.2f} | {pg_cpu} "
            f"| {_fmt_list(r['server_peak_rss_mb'], 0)} "
            f"| {r['loadgen_cpu_s']:.1f} | {other_load(r):.0%} |"
        )
    return lines


def failures_and_notes(meta: dict[str, Any], rows: list[ResultRow]) -> list[str]:
    failures = [(r["db"], r["label"], r["server_log"]) for r in rows if r["server_log"]["errors"]]
    non_2xx_rows = [r for r in rows if r["non_2xx"]]
    if not (failures or non_2xx_rows or meta["notes"]):
        return []
    lines = ["", "## Failures and notes", ""]
    for r in non_2xx_rows:
        lines.append(
            f"- {r['db']}, {r['label']}: statuses {r['statuses_by_kind'] or r['statuses']} "
            f"(server access log: {r['server_log']['statuses']})"
        )
    for db, label, server_log in failures:
        lines.append(f"- {db}, {label}: server log errors, first ones:")
        lines.extend(f"    - `{line[:400]}`" for line in server_log["errors"][:3])
    lines.extend(f"- {note}" for note in meta["notes"])
    return lines


def markdown(meta: dict[str, Any], rows: list[ResultRow], checks: list[TargetCheck]) -> str:
    lines = [
        f"# Benchmark {meta['started']}",
        "",
        f"{meta['machine']}; {meta['commit']}; {meta['versions']}.",
        f"Server: `teamnotes serve --workers {meta['workers']}` (uvicorn), log level INFO "
        "(one JSON access line per request, as shipped), load from wrk "
        f"(-t{WRK_THREADS}, closed loop) and hey (open loop, -q) on the same "
        f"{meta['cores']} cores. {meta['duration']} s per scenario.",
        f"Data per database: {meta['data']}; seeding and worker RSS right after start: "
        f"{meta.get('seed')}.",
        "",
        *summary_table(rows),
        "",
        "All the numbers:",
        "",
        *all_numbers_table(rows),
        "",
        "## Targets (issue 15)",
        "",
        "| target | DB | bar | measured | |",
        "|---|---|---|---|---|",
    ]
    for check in checks:
        verdict = "✅" if check["ok"] else "❌ missed"
        lines.append(
            f"| {check['target']} | {check['db']} | {check['bar']} | {check['measured']} "
            f"| {verdict} |"
        )
    lines += failures_and_notes(meta, rows)
    lines += [
        "",
        "Columns: req/s counts every response; 'of ceiling' divides by the ceiling of the same "
        "database's phase. Latencies are wrk's (closed loop: a connection sends its next "
        "request when the last one is answered) or hey's (open loop: each worker sends one "
        f"request every {1000 / OPEN_LOOP_PER_WORKER:.0f} ms). CPU seconds are per scenario "
        "(user + system, from /proc); CPU ms/req divides the server workers' CPU (and the "
        "CPU of the PostgreSQL backends serving the benchmark's database) by the responses "
        "in the server's access log: what one request costs (other load inflates it "
        "somewhat, far less than req/s). "
        "Peak RSS is each worker's VmHWM so far. Other load is the CPU that other processes "
        "used meanwhile, as a share of all cores: other programs running at the same time.",
        "",
    ]
    return "\n".join(lines)


def write_results(
    stamp: str, meta: dict[str, Any], rows: list[ResultRow], checks: list[TargetCheck]
) -> str:
    """The JSON and the Markdown, under the run's time and as latest.md; the Markdown."""
    text = markdown(meta, rows, checks)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stamp}.json").write_text(
        json.dumps({"meta": meta, "rows": rows, "targets": checks}, indent=2, default=str) + "\n"
    )
    (RESULTS / f"{stamp}.md").write_text(text)
    (RESULTS / "latest.md").write_text(text)
    return text
