"""Worker processes writing to one SQLite file: no writer is ever locked out."""

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.factories import make_user
from tests.servers import Servers, errors_in

pytestmark = pytest.mark.slow


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
