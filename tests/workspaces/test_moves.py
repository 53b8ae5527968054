"""Moving notes and tasks between workspaces (API.md §7)."""

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.workspaces.gate import personal_workspace_id
from tests.factories import User, make_note, make_task, token_user
from tests.workspaces.support import MISSING_ID, assert_error, join, make_team, rows_of

NOT_FOUND = {"notes": "Note not found", "tasks": "Task not found"}


@pytest.fixture(params=["notes", "tasks"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def user(app: FastAPI) -> User:
    return await token_user(app)


async def make_item(client: httpx.AsyncClient, user: User, kind: str) -> dict[str, Any]:
    return await (make_note if kind == "notes" else make_task)(client, user)


async def move(
    client: httpx.AsyncClient, user: User, path: str, target: str, **headers: str
) -> httpx.Response:
    return await client.post(
        f"{path}/move", json={"workspace_id": target}, headers={**user.headers, **headers}
    )


class TestMove:
    async def test_to_a_workspace_where_the_caller_edits(
        self, app: FastAPI, client: httpx.AsyncClient, user: User, kind: str
    ) -> None:
        owner = await token_user(app)
        team = (await make_team(client, owner))["id"]
        await join(app, team, user, "editor")
        item = await make_item(client, user, kind)
        old = f"/{kind}/{item['id']}"
        moved = await move(client, user, old, team)
        assert moved.status_code == 200, moved.text
        body = moved.json()
        assert (body["id"], body["workspace_id"], body["version"]) == (item["id"], team, 2)
        assert (body["created_by"], body["updated_by"]) == (user.id, user.id)
        assert moved.headers["ETag"] == '"2"'
        assert_error(await client.get(old, headers=user.headers), 404, "not_found", NOT_FOUND[kind])
        new = await client.get(f"/workspaces/{team}/{kind}/{item['id']}", headers=owner.headers)
        assert new.json() == body
        assert (await client.get(f"/{kind}", headers=user.headers)).json()["total"] == 0

    async def test_back_from_the_team_by_its_path(
        self, client: httpx.AsyncClient, user: User, kind: str
    ) -> None:
        team = (await make_team(client, user))["id"]
        item = await make_item(client, user, kind)
        await move(client, user, f"/{kind}/{item['id']}", team)
        personal = str(personal_workspace_id(user.id))
        back = await move(client, user, f"/workspaces/{team}/{kind}/{item['id']}", personal)
        assert (back.json()["workspace_id"], back.json()["version"]) == (personal, 3)

    async def test_a_task_goes_last_in_its_new_workspace(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        team = (await make_team(client, user))["id"]
        for number in range(3):
            created = await client.post(
                f"/workspaces/{team}/tasks", json={"title": f"T{number}"}, headers=user.headers
            )
            assert created.json()["order"] == number + 1
        task = await make_task(client, user, order=1)
        moved = await move(client, user, f"/tasks/{task['id']}", team)
        assert moved.json()["order"] == 4

    async def test_to_the_same_workspace_changes_nothing(
        self, client: httpx.AsyncClient, user: User, kind: str
    ) -> None:
        item = await make_item(client, user, kind)
        stayed = await move(
            client, user, f"/{kind}/{item['id']}", str(personal_workspace_id(user.id))
        )
        assert stayed.status_code == 200
        assert stayed.json() == item

    @pytest.mark.parametrize(
        ("role", "status", "code"), [(None, 404, "not_found"), ("viewer", 403, "forbidden")]
    )
    async def test_where_the_caller_may_not_write_is_refused(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        user: User,
        kind: str,
        role: str | None,
        status: int,
        code: str,
    ) -> None:
        owner = await token_user(app)
        team = (await make_team(client, owner))["id"]
        if role is not None:
            await join(app, team, user, role)  # type: ignore[arg-type]
        item = await make_item(client, user, kind)
        personal = str(personal_workspace_id(user.id))
        before = await rows_of(app, personal, team)
        refused = await move(client, user, f"/{kind}/{item['id']}", team)
        assert_error(refused, status, code)
        if status == 404:
            assert refused.json()["detail"] == "Workspace not found"
        assert await rows_of(app, personal, team) == before

    async def test_to_an_unknown_workspace_is_404(
        self, client: httpx.AsyncClient, user: User, kind: str
    ) -> None:
        item = await make_item(client, user, kind)
        refused = await move(client, user, f"/{kind}/{item['id']}", MISSING_ID)
        assert_error(refused, 404, "not_found", "Workspace not found")

    async def test_a_malformed_target_is_422(
        self, client: httpx.AsyncClient, user: User, kind: str
    ) -> None:
        item = await make_item(client, user, kind)
        refused = await move(client, user, f"/{kind}/{item['id']}", "elsewhere")
        assert_error(refused, 422, "validation_error")

    async def test_if_match_is_honoured(
        self, client: httpx.AsyncClient, user: User, kind: str
    ) -> None:
        team = (await make_team(client, user))["id"]
        item = await make_item(client, user, kind)
        path = f"/{kind}/{item['id']}"
        await client.patch(path, json={"title": "Changed"}, headers=user.headers)
        stale = await move(client, user, path, team, **{"If-Match": '"1"'})
        assert_error(stale, 412, "precondition_failed")
        assert (await client.get(path, headers=user.headers)).json()["version"] == 2
        fresh = await move(client, user, path, team, **{"If-Match": '"2"'})
        assert fresh.json()["version"] == 3

    async def test_an_unknown_item_is_404(
        self, client: httpx.AsyncClient, user: User, kind: str
    ) -> None:
        team = (await make_team(client, user))["id"]
        refused = await move(client, user, f"/{kind}/{MISSING_ID}", team)
        assert_error(refused, 404, "not_found", NOT_FOUND[kind])


class TestMoveEndsPublicLinks:
    async def test_the_links_of_a_moved_note_stop_working(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        team = (await make_team(client, user))["id"]
        note = await make_note(client, user)
        link = await client.post(f"/notes/{note['id']}/links", headers=user.headers)
        assert (await client.get(link.json()["path"])).status_code == 200
        await move(client, user, f"/notes/{note['id']}", team)
        assert (await client.get(link.json()["path"])).status_code == 404
        links = await client.get(
            f"/workspaces/{team}/notes/{note['id']}/links", headers=user.headers
        )
        assert links.json()["total"] == 0


class TestConcurrentMoves:
    async def test_opposite_moves_at_once_both_succeed(
        self, client: httpx.AsyncClient, user: User, kind: str
    ) -> None:
        # Each move holds both workspaces' writers: taken in one order, they cannot
        # deadlock however the two interleave.
        team = (await make_team(client, user))["id"]
        personal = str(personal_workspace_id(user.id))
        for _ in range(5):
            mine = await make_item(client, user, kind)
            theirs = (
                await client.post(
                    f"/workspaces/{team}/{kind}", json={"title": "T"}, headers=user.headers
                )
            ).json()
            there, back = await asyncio.gather(
                move(client, user, f"/{kind}/{mine['id']}", team),
                move(client, user, f"/workspaces/{team}/{kind}/{theirs['id']}", personal),
            )
            assert (there.status_code, back.status_code) == (200, 200), (there.text, back.text)
            assert (there.json()["workspace_id"], back.json()["workspace_id"]) == (team, personal)
