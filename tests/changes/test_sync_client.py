"""examples/sync_client.py against a real server (README, Syncing): its SQLite copy
becomes the workspace's lists, through live events, reconnections when the access
token runs out, a restart, and a resync after a 410."""

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.app import housekeeping_jobs
from teamnotes.config import Settings
from teamnotes.housekeeping import run_once
from teamnotes.kit.db import utcnow
from tests.changes.helpers import listed, team
from tests.factories import PASSWORD, User, access_token, make_user
from tests.servers import Server, Servers, errors_in

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).parents[2] / "examples" / "sync_client.py"
TOKEN_TTL = 3  # seconds: the client's streams end, and it comes back, several times


class Client:
    """The example, running as a user would run it."""

    def __init__(self, server: Server, email: str, workspace: str, db: Path) -> None:
        self.command = [sys.executable, str(EXAMPLE), "--url", server.url, "--email", email]
        self.command += ["--workspace", workspace, "--db", str(db)]
        self.db, self.log = db, db.with_suffix(".log")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "TEAMNOTES_PASSWORD": PASSWORD}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    @property
    def output(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def copy(self) -> dict[tuple[str, str], Any]:
        if not self.db.exists():
            return {}
        with sqlite3.connect(self.db) as db:
            try:
                rows = db.execute("SELECT kind, id, body FROM item").fetchall()
            except sqlite3.OperationalError:  # not made yet
                return {}
        return {(kind, item_id): json.loads(body) for kind, item_id, body in rows}

    async def converges(self, http: httpx.AsyncClient, base: str, user: User) -> None:
        """The copy equals the lists within a few seconds."""
        expected = await listed(http, base, user)
        for _ in range(100):
            if self.copy() == expected:
                return
            assert self.process is not None
            assert self.process.poll() is None, self.output
            await asyncio.sleep(0.1)
        assert self.copy() == expected, self.output


async def test_the_example_keeps_an_exact_copy(
    servers: Servers, database_url: str, tmp_path: Path, app: FastAPI
) -> None:
    server = await servers.start(
        database_url=database_url,
        data_dir=tmp_path / "data",
        access_token_ttl=str(TOKEN_TTL),
        sse_keepalive="1",
    )
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        registered = await make_user(http)  # the example signs in with its password
        token = access_token(app, registered.id, expires_in=600)  # the test's own
        user = User(registered.id, registered.email, token)
        home, away = await team(http, user, "Home"), await team(http, user, "Away")
        base = f"/workspaces/{home}"

        async def write(method: str, path: str, **body: Any) -> dict[str, Any]:
            response = await http.request(method, path, json=body or None, headers=user.headers)
            assert response.status_code < 300, response.text
            return response.json() if response.content else {}

        note = await write("POST", f"{base}/notes", title="Before")
        task = await write("POST", f"{base}/tasks", title="Before")
        client = Client(server, user.email, home, tmp_path / "copy.db")
        client.start()
        try:
            await client.converges(http, base, user)  # the initial load
            # Live, across a few token lifetimes: each stream ends with its token.
            for round_ in range(3):
                await write("PATCH", f"{base}/notes/{note['id']}", title=f"Round {round_}")
                await write("PATCH", f"{base}/tasks/{task['id']}/complete")
                made = await write("POST", f"{base}/notes", title=f"New {round_}")
                await client.converges(http, base, user)
                await write("DELETE", f"{base}/notes/{made['id']}")
                await asyncio.sleep(TOKEN_TTL / 2)
            await client.converges(http, base, user)
            assert client.output.count("following from") >= 2, client.output
            # Stopped, it misses a move whose tombstone the feed then forgets: back,
            # its stored cursor is older than the feed keeps (410), and it loads anew.
            client.stop()
            await write("POST", f"{base}/notes/{note['id']}/move", workspace_id=away)
            jobs = housekeeping_jobs(Settings(changes_retention_days=1e-9))
            await run_once(app.state.database, jobs, utcnow() + timedelta(seconds=1))
            await write("POST", f"{base}/tasks", title="After")
            client.start()
            await client.converges(http, base, user)
            assert "resync" in client.output, client.output
            assert ("note", note["id"]) not in client.copy()
        finally:
            client.stop()
    assert "Traceback" not in client.output, client.output
    assert errors_in(server.output) == [], server.output
