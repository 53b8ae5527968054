"""In-memory SQLite (API.md §6): one process, migrated at start-up, fully working."""

import asyncio
from pathlib import Path

import httpx
import pytest

from teamnotes.app import create_app
from tests.conftest import make_settings
from tests.factories import make_user


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
async def test_an_in_memory_database_serves_the_whole_api(url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(url, tmp_path))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await client.get("/readyz")).json() == {"status": "ready"}
            user = await make_user(client)
            created = await asyncio.gather(
                *(
                    client.post("/notes", json={"title": f"Café {n}"}, headers=user.headers)
                    for n in range(10)
                )
            )
            assert [response.status_code for response in created] == [201] * 10
            found = await client.get("/notes", params={"q": "cafe"}, headers=user.headers)
            assert found.json()["total"] == 10
            task = await client.post("/tasks", json={"title": "Buy milk"}, headers=user.headers)
            assert task.status_code == 201
            assert task.json()["order"] == 1
