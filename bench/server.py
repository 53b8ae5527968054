"""The servers under load (`teamnotes serve` and the ceiling), each in its own process
group with its output in a log file, and what their access logs say."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx

from .resources import children_of, cmdline
from .shared import BIN, BenchError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def teamnotes_env(database_url: str, data_dir: Path, secret: str) -> dict[str, str]:
    """The environment of `teamnotes` commands: this run's database, data directory
    and signing secret, and none of the caller's own TEAMNOTES_ settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TEAMNOTES_") and key != "DATABASE_URL"
    }
    env.update(
        TEAMNOTES_DATABASE_URL=database_url,
        TEAMNOTES_DATA_DIR=str(data_dir),
        TEAMNOTES_JWT_SECRET=secret,
        TEAMNOTES_LOG_LEVEL="INFO",  # the default, as shipped: one access line per request
    )
    return env


def teamnotes_serve(workers: int) -> list[str]:
    """The production command, as shipped."""
    return [str(BIN / "teamnotes"), "serve", "--workers", str(workers)]


class Server:
    """A server in its own process group, its output in a log file; always stopped."""

    def __init__(self, name: str, command: list[str], *, env: dict[str, str], cwd: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.cwd = cwd
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = cwd / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.workers: list[int] = []
        self._log_file: IO[bytes] | None = None

    def start(self, ready_path: str, expected_workers: int, timeout: float = 90) -> None:
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [*self.command, "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.cwd,
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends all of it
        )
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        with httpx.Client(timeout=5) as client:
            while True:
                if self.process.poll() is not None:
                    raise BenchError(
                        f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
                    )
                try:
                    response = client.get(self.url + ready_path)
                    last = f"GET {ready_path}: {response.status_code} {response.text[:300]}"
                    if response.status_code == 200:
                        self.workers = self._find_workers(self.process.pid, expected_workers)
                        last += f"; worker processes found: {self.workers}"
                        if len(self.workers) == expected_workers:
                            return
                except httpx.HTTPError as error:
                    last = f"GET {ready_path}: {type(error).__name__} {error}"
                if time.monotonic() > deadline:
                    raise BenchError(
                        f"{self.name} not ready in {timeout:.0f} s ({last}); "
                        f"its log ends:\n{self.log_tail(8)}"
                    )
                time.sleep(0.2)

    @staticmethod
    def _find_workers(main_pid: int, expected: int) -> list[int]:
        if expected == 1:
            return [main_pid]  # uvicorn serves in the main process
        return [
            pid
            for pid in children_of(main_pid)
            if "resource_tracker" not in cmdline(pid) and "spawn_main" in cmdline(pid)
        ]

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def settle(self, quiet: float = 0.5, limit: float = 15) -> None:
        """Wait until requests still in flight after a load run are answered (the
        access log stops growing), so they count for the run that sent them."""
        deadline = time.monotonic() + limit
        size = self.log_size()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            if (now := self.log_size()) == size:
                return
            size = now

    def stop(self) -> None:
        if self.process is None:
            return
        group = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=10)
        # Workers that outlived the master still belong to the group.
        for _ in range(50):
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        if self._log_file is not None:
            self._log_file.close()
        self.process = None


def scan_log(path: Path, start: int, end: int | None = None) -> dict[str, Any]:
    """Status codes of the access log lines and the error lines, between two offsets."""
    statuses: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    errors: list[str] = []
    per_second: Counter[str] = Counter()
    status_re = re.compile(r'"status": (\d{3})')
    level_re = re.compile(r'"level": "(\w+)"')
    time_re = re.compile(r'"time": "([0-9T:-]{19})')
    with open(path, "rb") as file:
        file.seek(start)
        data = file.read() if end is None else file.read(end - start)
    for raw in data.splitlines():
        line = raw.decode(errors="replace")
        level = level_re.search(line)
        if level is None:
            # Not one of the app's JSON lines: uvicorn's own output or a traceback.
            if line.strip() and not line.startswith("INFO:"):
                levels["other"] += 1
                if len(errors) < 8:
                    errors.append(line[:600])
            continue
        levels[level[1]] += 1
        if '"message": "request"' in line and (status := status_re.search(line)):
            statuses[status[1]] += 1
            if moment := time_re.search(line):
                per_second[moment[1]] += 1
        if level[1] in ("error", "critical") and len(errors) < 8:
            errors.append(line[:2000])
    return {
        "statuses": dict(statuses),
        "levels": dict(levels),
        "errors": errors,
        "responses_per_second": _per_second_summary(per_second),
    }


def _per_second_summary(per_second: Counter[str]) -> dict[str, int] | None:
    """The fewest and most responses in any whole second between the first and the
    last (seconds with none count as 0): a stall shows as a minimum of 0."""
    if len(per_second) < 3:
        return None
    seconds = sorted(datetime.fromisoformat(moment) for moment in per_second)
    inner = []
    moment = seconds[0] + timedelta(seconds=1)
    while moment < seconds[-1]:
        inner.append(per_second.get(moment.isoformat(), 0))
        moment += timedelta(seconds=1)
    if not inner:
        return None
    return {"seconds": len(inner), "min": min(inner), "max": max(inner)}
