"""A PostgreSQL server that stops answers 503 with Retry-After, and the same app
serves again once the server is back: no restart. The server is a private cluster
this test makes (initdb, pg_ctl) on a free loopback port, so stopping it disturbs
nothing else.
"""

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import migrate
from tests.outages import assert_unavailable, captured_log, serving

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A PostgreSQL cluster in a directory of its own, run by the `postgres` OS user
    when the tests run as root (PostgreSQL refuses to run as root)."""

    def __init__(self, bin_dir: Path, root: Path) -> None:
        self.bin_dir = bin_dir
        self.data = root / "data"
        self.log = root / "server.log"
        self.port = _free_port()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(root, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        subprocess.run(
            [*self._as, str(self.bin_dir / tool), *args],
            check=check,
            capture_output=True,
            timeout=120,
        )

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def discard(self) -> None:
        """Stop it, if it still runs, however the test ended."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", check=False)


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("needs PostgreSQL's server binaries (initdb, pg_ctl)")
    # Not pytest's tmp_path: the postgres user must be able to reach it.
    root = Path(tempfile.mkdtemp(prefix="teamnotes-pg-"))
    made = Cluster(bin_dir, root)
    try:
        made.create()
        made.start()
        yield made
    finally:
        made.discard()
        shutil.rmtree(root, ignore_errors=True)


async def test_a_stopped_server_is_503_until_it_is_back(cluster: Cluster, tmp_path: Path) -> None:
    await migrate(cluster.url)
    async with serving(cluster.url, tmp_path / "data") as service:
        before = await service.create_note("before the outage")
        assert before.status_code == 201, before.text
        assert (await service.list_notes()).status_code == 200

        await asyncio.to_thread(cluster.stop)
        with captured_log("teamnotes.errors") as records:
            assert_unavailable(await service.list_notes())
            assert_unavailable(await service.create_note("during the outage"))
        assert len(records) == 2
        assert all(record.exc_info is None for record in records)
        assert (await service.client.get("/readyz")).status_code == 503

        await asyncio.to_thread(cluster.start)
        listed = await service.list_notes()
        assert listed.status_code == 200, listed.text
        assert [note["title"] for note in listed.json()["items"]] == ["before the outage"]
        after = await service.create_note("after the outage")
        assert after.status_code == 201, after.text
        assert (await service.client.get("/readyz")).status_code == 200
