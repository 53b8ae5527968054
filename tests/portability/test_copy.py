"""`teamnotes copy --to URL` (API.md §10): SQLite to PostgreSQL and back, every row and id
kept, so that the same tokens keep working on the copy."""

from pathlib import Path

import pytest

from tests.conftest import migrate, new_database, running_app
from tests.factories import PASSWORD
from tests.portability.deployment import IDEMPOTENT, fill, row_counts, seen
from tests.portability.support import client_of, command


class TestCopy:
    async def test_sqlite_to_postgresql_and_back_keeps_everything(
        self,
        configured: pytest.MonkeyPatch,
        tmp_path: Path,
        tmp_path_factory: pytest.TempPathFactory,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        first = f"sqlite:///{tmp_path / 'first.db'}"
        last = f"sqlite:///{tmp_path / 'last.db'}"
        await migrate(first)
        async with running_app(first, tmp_path_factory) as app, client_of(app) as client:
            deployment = await fill(client, app)
            before = await seen(client, deployment)
            counts = await row_counts(first)
            empty = [table for table, rows in counts.items() if not rows]
            assert not empty, f"fill these tables in tests/portability/deployment.py: {empty}"
            # Copied while it serves: the copy reads one snapshot.
            async with new_database("postgresql", tmp_path) as middle:
                await command(configured, first, "copy", "--to", middle)
                assert "copied" in capsys.readouterr().out
                assert await row_counts(middle) == counts
                async with (
                    running_app(middle, tmp_path_factory) as copied,
                    client_of(copied) as there,
                ):
                    assert await seen(there, deployment) == before
                    refreshed = await there.post(
                        "/auth/refresh", json={"refresh_token": deployment.refresh_token}
                    )
                    assert refreshed.status_code == 200, refreshed.text
                counts = await row_counts(middle)
                await command(configured, middle, "copy", "--to", last)
        assert await row_counts(last) == counts
        async with running_app(last, tmp_path_factory) as app, client_of(app) as client:
            assert await seen(client, deployment) == before
            # The rotated refresh token's successor came along too.
            rotated = refreshed.json()["refresh_token"]
            again = await client.post("/auth/refresh", json={"refresh_token": rotated})
            assert again.status_code == 200, again.text
            # Passwords, idempotency keys and the workspaces' feed positions came too.
            login = await client.post(
                "/auth/token",
                data={"username": deployment.alice.email, "password": PASSWORD},
            )
            assert login.status_code == 200
            retried = await client.post(
                "/notes",
                json=IDEMPOTENT,
                headers={**deployment.alice.headers, "Idempotency-Key": "copy-me"},
            )
            assert retried.status_code == 201
            assert retried.json() in before[f"{deployment.alice_workspace} notes"]
            made = await client.post(
                f"/workspaces/{deployment.team}/notes",
                json={"title": "After"},
                headers=deployment.bob.headers,
            )
            assert made.status_code == 201
            changes = await client.get(
                f"/workspaces/{deployment.team}/changes",
                params={"cursor": before["changes"]["cursor"]},
                headers=deployment.bob.headers,
            )
            assert [change["id"] for change in changes.json()["changes"]] == [made.json()["id"]]
