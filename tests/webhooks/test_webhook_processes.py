"""Webhooks from real `teamnotes serve` processes (API.md §12): several processes
deliver each event once, and an event committed just before a `kill -9` goes out
after the restart. Each test has a database of its own: the servers are then the
only processes that deliver its events."""

import asyncio
import signal
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.factories import make_user
from tests.test_server_processes import (  # noqa: F401 (fixtures)
    Servers,
    fresh_database_url,
    servers,
)
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.slow

SETTINGS = {
    "webhooks_allow_private": "true",
    "webhooks_first_retry": "0.3",
    "webhooks_poll_interval": "0.2",
    "webhooks_timeout": "2",
}


async def _webhook(http: httpx.AsyncClient, headers: dict[str, str], url: str) -> None:
    workspace = (await http.get("/workspaces", headers=headers)).json()["items"][0]["id"]
    made = await http.post(
        f"/workspaces/{workspace}/webhooks", json={"url": url, "events": ["*"]}, headers=headers
    )
    assert made.status_code == 201, made.text


class TestSeveralProcesses:
    async def test_each_event_is_delivered_once(
        self,
        servers: Servers,  # noqa: F811 (the fixture imported above)
        fresh_database_url: str,  # noqa: F811
        tmp_path: Path,
    ) -> None:
        server = await servers.start(
            database_url=fresh_database_url, data_dir=tmp_path / "data", workers=2, **SETTINGS
        )
        limits = httpx.Limits(max_connections=20, max_keepalive_connections=0)
        async with (
            Receiver() as receiver,
            httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as http,
        ):
            user = await make_user(http)
            await _webhook(http, user.headers, receiver.url)
            # New connections, so that both workers take writes (and wake on their own).
            created = await asyncio.gather(
                *(
                    http.post("/notes", json={"title": f"Note {n}"}, headers=user.headers)
                    for n in range(40)
                )
            )
            assert [response.status_code for response in created] == [201] * 40
            await receiver.wait_for(40)
            await asyncio.sleep(1.0)  # a second claim of any event would be here by now
        counts = Counter(request.headers["webhook-id"] for request in receiver.received)
        assert len(counts) == 40
        assert set(counts.values()) == {1}
        sent = {request.event["data"]["id"] for request in receiver.received}
        assert sent == {response.json()["id"] for response in created}


class TestKill9:
    async def test_an_event_committed_before_the_kill_is_delivered_after_the_restart(
        self,
        servers: Servers,  # noqa: F811 (the fixture imported above)
        fresh_database_url: str,  # noqa: F811
        tmp_path: Path,
    ) -> None:
        data_dir = tmp_path / "data"
        receiver = Receiver()  # not listening yet: every attempt fails
        server = await servers.start(database_url=fresh_database_url, data_dir=data_dir, **SETTINGS)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            user = await make_user(http)
            await _webhook(http, user.headers, receiver.url)
            note = await http.post("/notes", json={"title": "Before"}, headers=user.headers)
            assert note.status_code == 201
        server.stop(signal.SIGKILL)

        async with receiver:
            await servers.start(database_url=fresh_database_url, data_dir=data_dir, **SETTINGS)
            [request] = await receiver.wait_for(1)
        assert request.event["type"] == "note.created"
        assert request.event["data"]["id"] == note.json()["id"]
