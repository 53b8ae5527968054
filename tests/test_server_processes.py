"""Real `teamnotes serve` processes, spoken to over loopback.

What only a deployment shows: several processes starting together on a fresh
database, a server killed with SIGKILL, worker processes writing to one SQLite
file, and the body-size limit enforced on a real socket. Every process is started
in a session of its own, so it and its workers die together, and none outlives
its test.
"""

import asyncio
import contextlib
import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from sqlalchemy import text

from teamnotes.migrations import head_revision, migration_engine
from tests.conftest import BACKENDS, TEST_SECRET, new_database
from tests.factories import User, make_note, make_user

pytestmark = pytest.mark.slow

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


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    started = Servers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture(params=BACKENDS)
async def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database with no schema yet, of each engine."""
    async with new_database(request.param, tmp_path) as url:
        yield url


async def schema_versions(database_url: str) -> list[str]:
    engine = migration_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return list(rows.scalars())
    finally:
        await engine.dispose()


def errors_in(output: str) -> list[str]:
    return [
        line for line in output.splitlines() if "Traceback" in line or '"level": "error"' in line
    ]


class TestStartingTogether:
    async def test_fresh_database_is_migrated_once_and_one_secret_is_shared(
        self, servers: Servers, fresh_database_url: str, tmp_path: Path
    ) -> None:
        data_dir = tmp_path / "data"
        # Three commands at the same moment, one of them with two workers: four
        # processes that each want to migrate and to generate the JWT secret.
        started = [
            servers.spawn(
                database_url=fresh_database_url, data_dir=data_dir, secret=None, workers=n
            )
            for n in (1, 1, 2)
        ]
        await asyncio.gather(*(servers.ready(server) for server in started))

        async with httpx.AsyncClient(timeout=10) as http:
            for server in started:
                ready = await http.get(f"{server.url}/readyz")
                assert ready.status_code == 200, ready.text
                assert ready.json() == {"status": "ready"}
        assert await schema_versions(fresh_database_url) == [head_revision()]

        secrets_written = [path for path in data_dir.iterdir() if "jwt_secret" in path.name]
        assert secrets_written == [data_dir / "jwt_secret"]  # no candidate left behind
        assert stat.S_IMODE((data_dir / "jwt_secret").stat().st_mode) == 0o600

        # A token issued by one process is good at every other one.
        async with httpx.AsyncClient(base_url=started[0].url, timeout=10) as first:
            user = await make_user(first)
        for server in started[1:]:
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as other:
                for _ in range(4):  # new connections, so both workers of the last get asked
                    me = await other.get("/auth/me", headers=user.headers)
                    assert me.status_code == 200, me.text
                    assert me.json()["id"] == user.id

        for server in started:
            assert server.running()
            assert errors_in(server.output) == [], server.output


class TestDurability:
    async def test_every_acknowledged_note_survives_kill_9(
        self, servers: Servers, database_url: str, tmp_path: Path
    ) -> None:
        data_dir = tmp_path / "data"
        server = await servers.start(database_url=database_url, data_dir=data_dir)
        acknowledged: list[str] = []
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            user = await make_user(http)
            for number in range(20):
                acknowledged.append((await make_note(http, user, title=f"Note {number}"))["id"])

            # Then a burst that is still in flight when the server dies.
            async def create(number: int) -> None:
                response = await http.post(
                    "/notes", json={"title": f"Burst {number}"}, headers=user.headers
                )
                assert response.status_code == 201, response.text
                acknowledged.append(response.json()["id"])
                if len(acknowledged) == 30:
                    server.kill(signal.SIGKILL)

            outcomes = await asyncio.gather(
                *(create(number) for number in range(40)), return_exceptions=True
            )
        for outcome in outcomes:
            # Requests cut off by the kill fail in transport; none may fail otherwise.
            assert outcome is None or isinstance(outcome, httpx.TransportError), outcome
        server.stop(signal.SIGKILL)
        assert len(acknowledged) >= 30

        restarted = await servers.start(database_url=database_url, data_dir=data_dir)
        async with httpx.AsyncClient(base_url=restarted.url, timeout=10) as http:
            kept = await _all_note_ids(http, user)
        assert set(acknowledged) <= kept


async def _all_note_ids(http: httpx.AsyncClient, user: User) -> set[str]:
    ids: set[str] = set()
    while True:
        page = await http.get(
            "/notes", params={"limit": 100, "offset": len(ids)}, headers=user.headers
        )
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        ids |= {item["id"] for item in items}
        if not items:
            return ids


class TestConcurrentWriters:
    async def test_two_workers_on_one_sqlite_file_never_lock_a_writer_out(
        self, servers: Servers, tmp_path: Path
    ) -> None:
        server = await servers.start(
            database_url=f"sqlite:///{tmp_path / 'writers.db'}",
            data_dir=tmp_path / "data",
            workers=2,
        )
        limits = httpx.Limits(max_connections=50, max_keepalive_connections=50)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as http:
            user = await make_user(http)
            responses = await asyncio.gather(
                *(
                    http.post("/notes", json={"title": f"Note {n}"}, headers=user.headers)
                    for n in range(200)
                )
            )
            statuses = [response.status_code for response in responses]
            assert statuses == [201] * 200, {r.status_code: r.text for r in responses}
            listing = await http.get("/notes", params={"limit": 1}, headers=user.headers)
        assert listing.json()["total"] == 200
        assert len({response.json()["id"] for response in responses}) == 200
        assert errors_in(server.output) == [], server.output


LIMIT = 2000


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


async def _read_response(reader: asyncio.StreamReader) -> RawResponse:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in filter(None, header_lines):
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return RawResponse(int(status_line.split()[1]), headers, body)


@pytest.fixture(scope="module")
async def limited(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Server, User]]:
    """One server with a small body limit for every test of it: storage plays no part."""
    tmp_path = tmp_path_factory.mktemp("limited")
    servers = Servers(tmp_path)
    try:
        server = await servers.start(
            database_url=f"sqlite:///{tmp_path / 'limited.db'}",
            data_dir=tmp_path / "data",
            max_body_bytes=str(LIMIT),
        )
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            user = await make_user(http)
        yield server, user
    finally:
        servers.stop_all()


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError):  # the server may have hung up first
        await writer.wait_closed()


class TestBodyLimitOnTheWire:
    def _head(self, server: Server, user: User, *framing: str) -> bytes:
        lines = [
            "POST /notes HTTP/1.1",
            f"Host: {HOST}:{server.port}",
            f"Authorization: Bearer {user.token}",
            "Content-Type: application/json",
            *framing,
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def test_chunked_body_is_refused_at_the_limit_before_it_ends(
        self, limited: tuple[Server, User]
    ) -> None:
        server, user = limited
        reader, writer = await asyncio.open_connection(HOST, server.port)
        try:
            # 3000 bytes in 500-byte chunks, and never the last chunk: the answer
            # can only come from a server that counts while the body streams.
            body = b'{"title": "big", "content": "' + b"a" * 3000
            chunks = [body[start : start + 500] for start in range(0, 3000, 500)]
            # One write: a server that hangs up with bytes still unread resets the
            # connection, and the reset could overtake its answer.
            writer.write(
                self._head(server, user, "Transfer-Encoding: chunked")
                + b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)
            )
            await writer.drain()
            response = await asyncio.wait_for(_read_response(reader), timeout=5)
        finally:
            await _close(writer)
        assert response.status == 413, response.body
        assert b'"error_code": "payload_too_large"' in response.body

    async def test_declared_length_over_the_limit_is_refused_unread(
        self, limited: tuple[Server, User]
    ) -> None:
        server, user = limited
        reader, writer = await asyncio.open_connection(HOST, server.port)
        try:
            # The headers and the first bytes of a body that never comes (in one
            # write, for the reason above).
            head = self._head(server, user, f"Content-Length: {LIMIT * 50}")
            writer.write(head + b'{"title": ')
            await writer.drain()
            response = await asyncio.wait_for(_read_response(reader), timeout=5)
            # Then the server hangs up rather than wait for a body it will not read.
            try:
                rest = await asyncio.wait_for(reader.read(), timeout=5)
            except ConnectionResetError:
                rest = b""
        finally:
            await _close(writer)
        assert response.status == 413, response.body
        assert b'"error_code": "payload_too_large"' in response.body
        assert response.headers["connection"] == "close"
        assert rest == b""
