"""What a load run cost, read from /proc: each server worker's CPU time and peak RSS,
the PostgreSQL backends' CPU, the load generators' and the whole machine's."""

import os
import re
import resource
import time
from dataclasses import dataclass
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_MB = 1 / 1024


def read_proc(path: str) -> str:
    """A /proc file's text, or "" once its process is gone."""
    try:
        with open(path) as file:
            return file.read()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float:
    stat = read_proc(f"/proc/{pid}/stat")
    if not stat:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def peak_rss_mb(pid: int) -> float:
    match = re.search(r"^VmHWM:\s+(\d+) kB", read_proc(f"/proc/{pid}/status"), re.MULTILINE)
    return int(match[1]) * PAGE_MB if match else 0.0


def rss_mb(pid: int) -> float:
    match = re.search(r"^VmRSS:\s+(\d+) kB", read_proc(f"/proc/{pid}/status"), re.MULTILINE)
    return round(int(match[1]) * PAGE_MB, 1) if match else 0.0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = read_proc(f"/proc/{entry}/stat")
            if stat and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return sorted(found)


def cmdline(pid: int) -> str:
    return read_proc(f"/proc/{pid}/cmdline").replace("\0", " ")


def machine_busy_seconds() -> tuple[float, float]:
    """CPU time of all cores since boot (/proc/stat): in processes (user, nice,
    system), and in interrupts (irq, softirq: loopback TCP is largely softirq)."""
    values = [int(v) for v in read_proc("/proc/stat").splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq = values[:7]
    return (user + nice + system) / CLK_TCK, (irq + softirq) / CLK_TCK


def postgres_backends(database: str) -> list[int]:
    """The server processes serving connections to this database."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and read_proc(f"/proc/{entry}/comm").strip() == "postgres":
            line = cmdline(int(entry))
            if f" {database} " in line:
                pids.append(int(entry))
    return pids


@dataclass
class Snapshot:
    worker_cpu: list[float]
    db_cpu: dict[int, float]
    machine_busy: tuple[float, float]
    loadgen_cpu: float
    at: float


def snapshot(workers: list[int], pg_database: str | None) -> Snapshot:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Snapshot(
        worker_cpu=[cpu_seconds(pid) for pid in workers],
        db_cpu=(
            {pid: cpu_seconds(pid) for pid in postgres_backends(pg_database)} if pg_database else {}
        ),
        machine_busy=machine_busy_seconds(),
        loadgen_cpu=usage.ru_utime + usage.ru_stime,
        at=time.monotonic(),
    )


def resources_between(
    workers: list[int], before: Snapshot, pg_database: str | None
) -> dict[str, Any]:
    after = snapshot(workers, pg_database)
    db_cpu = None
    if pg_database:
        db_cpu = sum(cpu - before.db_cpu.get(pid, 0.0) for pid, cpu in after.db_cpu.items())
    server_cpu = [round(a - b, 2) for a, b in zip(after.worker_cpu, before.worker_cpu, strict=True)]
    loadgen = after.loadgen_cpu - before.loadgen_cpu
    busy = after.machine_busy[0] - before.machine_busy[0]
    interrupts = after.machine_busy[1] - before.machine_busy[1]
    accounted = sum(server_cpu) + loadgen + (db_cpu or 0.0)
    return {
        "server_cpu_s": server_cpu,
        "server_peak_rss_mb": [round(peak_rss_mb(pid), 1) for pid in workers],
        "db_cpu_s": None if db_cpu is None else round(db_cpu, 2),
        "loadgen_cpu_s": round(loadgen, 2),
        "machine_busy_s": round(busy, 2),
        "interrupts_cpu_s": round(interrupts, 2),
        # CPU that processes other than these spent meanwhile (other programs, the
        # PostgreSQL processes of other databases): large values mean a disturbed run.
        "other_cpu_s": round(max(0.0, busy - accounted), 2),
        "wall_s": round(after.at - before.at, 2),
    }
