"""What every part of the benchmark shares: where things are, the shape of the load,
the progress log and the error that ends a phase early."""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LUA = BENCH / "lua"
RESULTS = BENCH / "results"
BIN = Path(sys.prefix) / "bin"

BUDGET_S = 600  # the whole run, installs included
CONNECTIONS = 100
WRK_THREADS = 2
OPEN_LOOP_RATE = 1000  # req/s, the mixed workload
OPEN_LOOP_CREATE_RATE = 500  # req/s, create on SQLite
OPEN_LOOP_PER_WORKER = 10.0  # req/s per hey worker: one request every 100 ms
STALL_CONNECTIONS = 256


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class BenchError(RuntimeError):
    pass
