"""Several processes starting together on a fresh database: one migration, one secret."""

import asyncio
import stat
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from teamnotes.migrations import head_revision, migration_engine
from tests.factories import make_user
from tests.servers import Servers, errors_in

pytestmark = pytest.mark.slow


async def schema_versions(database_url: str) -> list[str]:
    engine = migration_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return list(rows.scalars())
    finally:
        await engine.dispose()


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
