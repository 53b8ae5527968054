"""A server killed with SIGKILL loses no acknowledged note."""

import asyncio
import signal
from pathlib import Path

import httpx
import pytest

from tests.factories import User, make_note, make_user
from tests.servers import Servers

pytestmark = pytest.mark.slow


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
