"""Workspaces across real server processes: what one process does, the others know
at once, with no cache of theirs in the way (API.md §7)."""

import asyncio
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import make_note, make_user, token_user
from tests.running_servers import SharedServer, shared_server
from tests.servers import Server, Servers, errors_in
from tests.workspaces.support import join, make_team
from tests.workspaces.test_deleted_accounts import requests_of, written_for

pytestmark = pytest.mark.slow

ROUNDS = 10


@pytest.fixture
async def server(request: pytest.FixtureRequest, database_url: str) -> SharedServer:
    return await shared_server(request, database_url)


async def two_connections(url: str) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=1)
    return (
        httpx.AsyncClient(base_url=url, timeout=30, limits=limits),
        httpx.AsyncClient(base_url=url, timeout=30, limits=limits),
    )


class TestAcceptingAtOnce:
    async def test_one_invitation_lets_exactly_one_in(
        self, app: FastAPI, client: httpx.AsyncClient, server: SharedServer
    ) -> None:
        owner = await token_user(app)
        team = (await make_team(client, owner))["id"]
        first, second = await two_connections(server.url)
        async with first, second:
            await asyncio.gather(first.get("/healthz"), second.get("/healthz"))
            for _ in range(ROUNDS):
                invited = await first.post(
                    f"/workspaces/{team}/invitations",
                    json={"role": "viewer"},
                    headers=owner.headers,
                )
                token = {"token": invited.json()["token"]}
                one, other = await token_user(app), await token_user(app)
                responses = await asyncio.gather(
                    first.post("/invitations/accept", json=token, headers=one.headers),
                    second.post("/invitations/accept", json=token, headers=other.headers),
                )
                statuses = sorted(response.status_code for response in responses)
                assert statuses == [200, 404], [response.text for response in responses]
            members = await first.get(
                f"/workspaces/{team}/members", params={"limit": 1}, headers=owner.headers
            )
        assert members.json()["total"] == 1 + ROUNDS
        assert errors_in(server.server.output) == [], server.server.output


class TestDeletedAccount:
    async def test_its_tokens_are_refused_by_the_other_process(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        server: SharedServer,
        database_url: str,
        tmp_path: Path,
    ) -> None:
        servers = Servers(tmp_path)
        try:
            other = await servers.start(database_url=database_url, data_dir=tmp_path / "data")
            await self.check(app, client, server, other)
        finally:
            servers.stop_all()

    async def check(
        self, app: FastAPI, client: httpx.AsyncClient, server: SharedServer, other: Server
    ) -> None:
        """Delete through the shared server; the other one knows at once."""
        user, owner = await make_user(client), await token_user(app)
        team = (await make_team(client, owner))["id"]
        await join(app, team, user, "editor")
        note = await make_note(client, user)
        invited = await client.post(
            f"/workspaces/{team}/invitations", json={"role": "viewer"}, headers=owner.headers
        )
        requests = requests_of(user, team, note["id"], note["id"], invited.json()["token"])
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=30) as deleting,
            httpx.AsyncClient(base_url=other.url, timeout=30) as elsewhere,
        ):
            # The other process has seen the token at work before.
            for path in ("/notes", f"/workspaces/{team}/notes", "/workspaces"):
                assert (await elsewhere.get(path, headers=user.headers)).status_code == 200
            before = await written_for(app, user.id)
            assert (await deleting.delete("/auth/me", headers=user.headers)).status_code == 204
            assert await written_for(app, user.id) < before
            for method, path, body in requests:
                response = await elsewhere.request(method, path, json=body, headers=user.headers)
                assert response.status_code == 401, (method, path, response.text)
                assert response.json()["error_code"] == "invalid_token"
        assert await written_for(app, user.id) == 0
        assert errors_in(other.output) == [], other.output
