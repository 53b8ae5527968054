"""Real `teamnotes serve` processes for tests, spoken to over loopback.

Every process is started in a session of its own, so it and its workers die
together, and none outlives its test (`Servers.stop_all`).
"""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from tests.conftest import TEST_SECRET

TEAMNOTES = Path(sys.executable).with_name("teamnotes")
HOST = "127.0.0.1"
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    log_file: IO[bytes]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def output(self) -> str:
        self.log_file.flush()
        return self.log.read_text(errors="replace")

    def running(self) -> bool:
        return self.process.poll() is None

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Signal the whole process group: the server and its workers."""
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, sig)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        self.kill(sig)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)
        # Workers left behind by a parent that died first go with the group.
        self.kill(signal.SIGKILL)
        self.log_file.close()


class Servers:
    """Starts `teamnotes serve` processes; teardown stops whatever still runs."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[Server] = []

    def spawn(
        self,
        *,
        database_url: str,
        data_dir: Path,
        workers: int = 1,
        secret: str | None = TEST_SECRET,
        **settings: str,
    ) -> Server:
        """Start a server and return at once; `ready` waits for it."""
        number = len(self.started)
        env = {
            name: value
            for name, value in os.environ.items()
            # Nothing of the developer's own configuration leaks in.
            if not name.startswith("TEAMNOTES_")
            and name not in ("DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR")
        }
        env |= {
            "TEAMNOTES_DATABASE_URL": database_url,
            "TEAMNOTES_DATA_DIR": str(data_dir),
            "PROMETHEUS_MULTIPROC_DIR": str(self.tmp_path / f"metrics-{number}"),
            **{f"TEAMNOTES_{name.upper()}": value for name, value in settings.items()},
        }
        if secret is not None:
            env["TEAMNOTES_JWT_SECRET"] = secret
        port = free_port()
        log = self.tmp_path / f"server-{number}.log"
        log_file = log.open("wb")
        command = [str(TEAMNOTES), "serve", "--host", HOST, "--port", str(port)]
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            env=env,
            # Not the checkout, whose .env must not configure these servers.
            cwd=self.tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, workers included
        )
        server = Server(process, port, log, log_file)
        self.started.append(server)
        return server

    async def ready(self, server: Server) -> Server:
        """Wait, within a bound, until the server answers /healthz."""
        deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT
        async with httpx.AsyncClient(base_url=server.url, timeout=1.0) as http:
            while asyncio.get_running_loop().time() < deadline:
                if not server.running():
                    pytest.fail(f"the server exited while starting:\n{server.output}")
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        return server
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        pytest.fail(f"the server did not answer within {STARTUP_TIMEOUT} s:\n{server.output}")

    async def start(self, **options: Any) -> Server:
        return await self.ready(self.spawn(**options))

    def stop_all(self) -> None:
        for server in self.started:
            if not server.log_file.closed:
                server.stop()


def errors_in(output: str) -> list[str]:
    return [
        line for line in output.splitlines() if "Traceback" in line or '"level": "error"' in line
    ]
