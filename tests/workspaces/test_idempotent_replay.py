"""A retried create (Idempotency-Key) is replayed only to a caller who may still create."""

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import User, token_user
from tests.workspaces.support import join


@pytest.mark.parametrize("collection", ["notes", "tasks"])
class TestReplayAfterLosingTheRole:
    async def test_a_member_made_a_viewer_gets_403_not_the_stored_201(
        self, client: httpx.AsyncClient, app: FastAPI, owner: User, team: str, collection: str
    ) -> None:
        writer = await token_user(app)
        await join(app, team, writer, "editor")
        path = f"/workspaces/{team}/{collection}"
        headers = {**writer.headers, "Idempotency-Key": "retry-me"}
        first = await client.post(path, json={"title": "Mine"}, headers=headers)
        assert first.status_code == 201, first.text
        demoted = await client.patch(
            f"/workspaces/{team}/members/{writer.id}",
            json={"role": "viewer"},
            headers=owner.headers,
        )
        assert demoted.status_code == 200, demoted.text
        retried = await client.post(path, json={"title": "Mine"}, headers=headers)
        assert retried.status_code == 403, retried.text
        assert retried.json()["error_code"] == "forbidden"

    async def test_one_removed_gets_404(
        self, client: httpx.AsyncClient, app: FastAPI, owner: User, team: str, collection: str
    ) -> None:
        writer = await token_user(app)
        await join(app, team, writer, "editor")
        path = f"/workspaces/{team}/{collection}"
        headers = {**writer.headers, "Idempotency-Key": "retry-me"}
        assert (await client.post(path, json={"title": "Mine"}, headers=headers)).status_code == 201
        removed = await client.delete(
            f"/workspaces/{team}/members/{writer.id}", headers=owner.headers
        )
        assert removed.status_code == 204, removed.text
        retried = await client.post(path, json={"title": "Mine"}, headers=headers)
        assert retried.status_code == 404, retried.text
