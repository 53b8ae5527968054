"""One running `teamnotes serve --workers 2` per engine, shared by the tests that only
need a deployment to talk to (concurrency, idempotency on the wire, metrics).

Starting a server costs seconds (three interpreters: the supervisor and two
workers), so each engine's server starts once, on first use, and stops when the
test run ends. Tests sharing it stay independent as every other test here does:
each uses users of its own. A test that stops or kills a server starts its own with
`tests.servers.Servers` instead.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import Server, Servers

WORKERS = 2


@dataclass(frozen=True)
class SharedServer:
    server: Server
    metrics_dir: Path
    """Where each worker writes its own metric samples (PROMETHEUS_MULTIPROC_DIR)."""

    @property
    def url(self) -> str:
        return self.server.url


_STARTED = pytest.StashKey[dict[str, SharedServer]]()


async def shared_server(request: pytest.FixtureRequest, database_url: str) -> SharedServer:
    """The running server of this database, started on first use."""
    started = request.config.stash.setdefault(_STARTED, {})
    if database_url not in started:
        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        directory = factory.mktemp("shared-server")
        servers = Servers(directory)
        request.config.add_cleanup(servers.stop_all)
        server = await servers.start(
            database_url=database_url, data_dir=directory / "data", workers=WORKERS
        )
        # Servers names the first server's metrics directory so.
        started[database_url] = SharedServer(server, directory / "metrics-0")
    shared = started[database_url]
    assert shared.server.running(), shared.server.output
    return shared
