"""Operations (issue 7): graceful shutdown, console logs (metrics: test_metrics.py)."""

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.config import Settings
from teamnotes.kit.logs import ConsoleFormatter, JSONFormatter, configure_logging
from tests.factories import User, token_user
from tests.servers import Servers, errors_in


@dataclass
class Outcome:
    title: str
    status: int | None = None
    error: str | None = None
    failed_before_sigterm: bool = False


SHUTDOWN_CLIENTS = 20
ACKNOWLEDGED_BEFORE_SIGTERM = 60


@pytest.mark.slow
class TestGracefulShutdown:
    @pytest.fixture
    async def servers(self, tmp_path: Path) -> AsyncIterator[Servers]:
        started = Servers(tmp_path)
        try:
            yield started
        finally:
            started.stop_all()

    async def test_sigterm_under_concurrent_writes_drops_nothing_acknowledged(
        self,
        servers: Servers,
        database_url: str,
        client: httpx.AsyncClient,
        app: FastAPI,
        tmp_path: Path,
    ) -> None:
        """SIGTERM to the server's process group while 20 clients create notes.

        What a client can observe, and what must hold:
        - every request that got an HTTP response got a 201 (no 5xx, nothing else);
        - a request that failed in transport after it was sent (the connection was
          closed or reset before any response) must not have been acted on: its note
          does not exist. The server may close an idle keep-alive connection, or leave
          a connection it never accepted in the listen backlog, and a request sent on
          either is lost without effect, which a client can retry; what must never
          happen is a note created for a request that got no response (an accepted
          request cut off);
        - a refused connection (the server no longer listens) is fine;
        - a request whose body was still arriving at SIGTERM is finished (201);
        - the server exits with status 0 within the bound, logging no error;
        - every note acknowledged with a 201 is in the database afterwards, read by
          a new process of its own (the test's app), as a restarted server reads it.
        """
        server = await servers.start(
            database_url=database_url,
            data_dir=tmp_path / "data",
            workers=2,
            shutdown_timeout="10",
        )
        user = await token_user(app)
        outcomes: list[Outcome] = []
        terminated = asyncio.Event()
        acknowledged = asyncio.Event()

        async def create_in_a_loop(number: int) -> None:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                for attempt in range(10_000):
                    outcome = Outcome(f"c{number}-{attempt}")
                    outcomes.append(outcome)
                    try:
                        response = await http.post(
                            "/notes", json={"title": outcome.title}, headers=user.headers
                        )
                    except httpx.TransportError as error:
                        outcome.error = repr(error)
                        if not terminated.is_set():
                            outcome.failed_before_sigterm = True
                            return
                        if isinstance(error, httpx.ConnectError):
                            return  # nothing listens any more
                        continue
                    outcome.status = response.status_code
                    if sum(o.status == 201 for o in outcomes) >= ACKNOWLEDGED_BEFORE_SIGTERM:
                        acknowledged.set()
                    if response.status_code != 201:
                        return

        body_started = asyncio.Event()

        async def slow_body() -> AsyncIterator[bytes]:
            yield b'{"title": "slow body", '
            body_started.set()
            await asyncio.sleep(1.5)
            yield b'"content": "' + b"s" * 1000 + b'"}'

        async def create_slowly() -> httpx.Response:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
                return await http.post(
                    "/notes",
                    content=slow_body(),
                    headers={**user.headers, "Content-Type": "application/json"},
                )

        loops = [asyncio.create_task(create_in_a_loop(n)) for n in range(SHUTDOWN_CLIENTS)]
        await asyncio.wait_for(acknowledged.wait(), timeout=60)
        slow = asyncio.create_task(create_slowly())
        await asyncio.wait_for(body_started.wait(), timeout=10)
        await asyncio.sleep(0.3)  # the request's head has reached a worker

        os.killpg(server.process.pid, signal.SIGTERM)
        terminated.set()
        sigterm_at = time.monotonic()
        try:
            returncode = await asyncio.to_thread(server.process.wait, 20)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the server did not exit within 20 s of SIGTERM:\n{server.output}")
        stopped_in = time.monotonic() - sigterm_at
        await asyncio.wait_for(asyncio.gather(*loops), timeout=30)
        slow_response = await asyncio.wait_for(slow, timeout=30)

        assert returncode == 0, server.output
        assert stopped_in < 10 + 5, stopped_in
        assert errors_in(server.output) == [], server.output
        assert slow_response.status_code == 201, slow_response.text

        stored = await all_titles(client, user)
        assert "slow body" in stored
        responded = [o for o in outcomes if o.status is not None]
        failed = [o for o in outcomes if o.error is not None]
        assert {o.status for o in responded} == {201}, [(o.title, o.status) for o in responded]
        assert {o.title for o in responded} <= stored  # every acknowledged write is kept
        for outcome in failed:
            assert outcome.title not in stored, f"{outcome} was acted on but got no response"
        assert not [o for o in failed if o.failed_before_sigterm], failed
        assert not [o for o in failed if "Timeout" in (o.error or "")], failed
        # Everything stored was asked for, and exactly once.
        assert stored <= {o.title for o in outcomes} | {"slow body"}
        assert len(responded) >= ACKNOWLEDGED_BEFORE_SIGTERM
        # Each client ends either refused or still answered; none hangs.
        assert all(loop.done() for loop in loops)


async def all_titles(client: httpx.AsyncClient, user: User) -> set[str]:
    titles: list[str] = []
    while True:
        page = await client.get(
            "/notes", params={"limit": 100, "offset": len(titles)}, headers=user.headers
        )
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        if not items:
            assert len(titles) == len(set(titles))
            return set(titles)
        titles += [item["title"] for item in items]


class TestLogFormats:
    @pytest.fixture
    def record(self) -> logging.LogRecord:
        record = logging.makeLogRecord(
            {
                "name": "teamnotes.access",
                "levelno": logging.INFO,
                "levelname": "INFO",
                "msg": "request %s",
                "args": ("done",),
                "request_id": "abc123",
                "status": 201,
            }
        )
        record.created = 1_700_000_000.25
        return record

    def test_console_lines_are_for_people(self, record: logging.LogRecord) -> None:
        line = ConsoleFormatter().format(record)
        assert line == "22:13:20.250 INFO    request done request_id=abc123 status=201"
        with pytest.raises(json.JSONDecodeError):
            json.loads(line)

    def test_console_lines_carry_the_traceback(self, record: logging.LogRecord) -> None:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            record.exc_info = sys.exc_info()
        lines = ConsoleFormatter().format(record).splitlines()
        assert lines[0].startswith("22:13:20.250 INFO    request done")
        assert lines[1] == "Traceback (most recent call last):"
        assert lines[-1] == "RuntimeError: boom"

    def test_json_stays_the_default(self, record: logging.LogRecord) -> None:
        entry = json.loads(JSONFormatter().format(record))
        assert entry["message"] == "request done"
        assert entry["request_id"] == "abc123"
        assert entry["level"] == "info"

    @pytest.mark.parametrize(
        ("log_format", "formatter"), [("console", ConsoleFormatter), ("json", JSONFormatter)]
    )
    def test_configure_logging_installs_the_chosen_formatter(
        self, log_format: str, formatter: type[logging.Formatter]
    ) -> None:
        loggers = [logging.getLogger(name) for name in ("teamnotes", "uvicorn.error")]
        saved = [(logger.handlers[:], logger.level, logger.propagate) for logger in loggers]
        try:
            configure_logging("INFO", log_format)
            for logger in loggers:
                assert [type(h.formatter) for h in logger.handlers] == [formatter]
        finally:
            for logger, (handlers, level, propagate) in zip(loggers, saved, strict=True):
                logger.handlers[:] = handlers
                logger.setLevel(level)
                logger.propagate = propagate

    def test_the_environment_chooses_console(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TEAMNOTES_LOG_FORMAT", "console")
        assert Settings(_env_file=None).log_format == "console"  # type: ignore[call-arg]
