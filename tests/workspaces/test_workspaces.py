"""Workspaces themselves (API.md §7): list, create, read, rename, delete."""

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.workspaces.gate import personal_workspace_id
from tests.factories import User, make_user, token_user
from tests.workspaces.support import (
    MISSING_ID,
    assert_error,
    join,
    make_team,
    rows_of,
)

FIELDS = {"id", "name", "personal", "role", "created_at", "updated_at", "version"}


@pytest.fixture
async def user(app: FastAPI) -> User:
    return await token_user(app)


async def listed(client: httpx.AsyncClient, user: User, **params: Any) -> dict[str, Any]:
    response = await client.get("/workspaces", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


class TestListWorkspaces:
    async def test_personal_first_then_by_name_then_id(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        made = [await make_team(client, user, name) for name in ("beta", "Zed", "alpha", "beta")]
        betas = sorted((team["id"] for team in made if team["name"] == "beta"), key=uuid.UUID)
        page = await listed(client, user)
        assert page["total"] == 5
        names = [(item["name"], item["personal"]) for item in page["items"]]
        # By code point, as every name sorts: capitals first.
        assert names == [
            ("Personal", True),
            ("Zed", False),
            ("alpha", False),
            ("beta", False),
            ("beta", False),
        ]
        assert [item["id"] for item in page["items"][3:]] == betas
        assert page["items"][0]["id"] == str(personal_workspace_id(user.id))

    async def test_pages_walk_the_same_order(self, client: httpx.AsyncClient, user: User) -> None:
        for name in ("c", "a", "b"):
            await make_team(client, user, name)
        everything = [item["id"] for item in (await listed(client, user))["items"]]
        paged = []
        for offset in range(0, 4, 2):
            page = await listed(client, user, limit=2, offset=offset)
            assert page["total"] == 4
            assert (page["limit"], page["offset"]) == (2, offset)
            paged += [item["id"] for item in page["items"]]
        assert paged == everything
        beyond = await listed(client, user, offset=10)
        assert (beyond["items"], beyond["total"]) == ([], 4)

    async def test_shows_only_the_callers_with_their_role(
        self, app: FastAPI, client: httpx.AsyncClient, user: User
    ) -> None:
        other = await token_user(app)
        theirs = await make_team(client, other, "Theirs")
        await make_team(client, other, "Private")
        await join(app, theirs["id"], user, "viewer")
        page = await listed(client, user)
        assert [(item["name"], item["role"]) for item in page["items"]] == [
            ("Personal", "owner"),
            ("Theirs", "viewer"),
        ]
        assert set(page["items"][1]) == FIELDS


class TestCreateWorkspace:
    async def test_is_201_with_location_and_etag(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        response = await client.post(
            "/workspaces", json={"name": "  Design  "}, headers=user.headers
        )
        assert response.status_code == 201, response.text
        workspace = response.json()
        assert set(workspace) == FIELDS
        assert workspace["name"] == "Design"
        assert (workspace["personal"], workspace["role"], workspace["version"]) == (
            False,
            "owner",
            1,
        )
        assert workspace["created_at"] == workspace["updated_at"]
        assert response.headers["Location"] == f"/workspaces/{workspace['id']}"
        assert response.headers["ETag"] == '"1"'
        read = await client.get(response.headers["Location"], headers=user.headers)
        assert read.json() == workspace

    @pytest.mark.parametrize(
        "body", [{"name": "   "}, {"name": "x" * 101}, {}, {"name": "A", "personal": True}]
    )
    async def test_bad_bodies_are_422(
        self, client: httpx.AsyncClient, user: User, body: dict[str, Any]
    ) -> None:
        response = await client.post("/workspaces", json=body, headers=user.headers)
        assert_error(response, 422, "validation_error")
        assert (await listed(client, user))["total"] == 1

    async def test_a_name_of_100_characters_is_fine(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        name = "é" * 100
        assert (await make_team(client, user, name))["name"] == name


class TestReadWorkspace:
    async def test_if_none_match_is_304_until_it_changes(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        path = f"/workspaces/{(await make_team(client, user))['id']}"
        fresh = await client.get(path, headers={**user.headers, "If-None-Match": '"1"'})
        assert fresh.status_code == 304
        assert fresh.content == b""
        assert fresh.headers["ETag"] == '"1"'
        renamed = await client.patch(path, json={"name": "New"}, headers=user.headers)
        assert renamed.headers["ETag"] == '"2"'
        stale = await client.get(path, headers={**user.headers, "If-None-Match": '"1"'})
        assert stale.status_code == 200
        assert stale.headers["ETag"] == '"2"'
        assert stale.json()["name"] == "New"

    @pytest.mark.parametrize("workspace_id", [MISSING_ID, "not-an-id", "1" * 300])
    async def test_unknown_or_malformed_is_404(
        self, client: httpx.AsyncClient, user: User, workspace_id: str
    ) -> None:
        response = await client.get(f"/workspaces/{workspace_id}", headers=user.headers)
        assert_error(response, 404, "not_found", "Workspace not found")


class TestRenameWorkspace:
    async def test_a_stale_if_match_is_412_and_changes_nothing(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        path = f"/workspaces/{(await make_team(client, user, 'Old'))['id']}"
        await client.patch(path, json={"name": "Newer"}, headers=user.headers)
        stale = await client.patch(
            path, json={"name": "Lost"}, headers={**user.headers, "If-Match": '"1"'}
        )
        assert_error(stale, 412, "precondition_failed")
        current = (await client.get(path, headers=user.headers)).json()
        assert (current["name"], current["version"]) == ("Newer", 2)
        matching = await client.patch(
            path, json={"name": "Won"}, headers={**user.headers, "If-Match": '"2"'}
        )
        assert matching.status_code == 200
        assert matching.json()["version"] == 3

    async def test_the_same_name_changes_nothing(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        team = await make_team(client, user, "Same")
        path = f"/workspaces/{team['id']}"
        response = await client.patch(path, json={"name": " Same "}, headers=user.headers)
        assert response.status_code == 200
        assert response.json() == team

    async def test_the_personal_workspace_may_be_renamed(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        path = f"/workspaces/{personal_workspace_id(user.id)}"
        response = await client.patch(path, json={"name": "Mine"}, headers=user.headers)
        assert response.status_code == 200, response.text
        assert (response.json()["name"], response.json()["personal"]) == ("Mine", True)
        assert (await listed(client, user))["items"][0]["name"] == "Mine"


class TestPersonalWorkspace:
    async def test_registration_makes_it_with_its_owner_alone(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        [personal] = (await listed(client, user))["items"]
        assert personal["id"] == str(personal_workspace_id(user.id))
        assert (personal["name"], personal["personal"], personal["role"]) == (
            "Personal",
            True,
            "owner",
        )
        members = await client.get(f"/workspaces/{personal['id']}/members", headers=user.headers)
        [member] = members.json()["items"]
        assert (member["user_id"], member["email"], member["role"]) == (
            user.id,
            user.email,
            "owner",
        )

    async def test_cannot_be_deleted_nor_shared_nor_left(
        self, app: FastAPI, client: httpx.AsyncClient, user: User
    ) -> None:
        personal = str(personal_workspace_id(user.id))
        path = f"/workspaces/{personal}"
        before = await rows_of(app, personal)
        assert_error(await client.delete(path, headers=user.headers), 403, "forbidden")
        invited = await client.post(
            f"{path}/invitations", json={"role": "viewer"}, headers=user.headers
        )
        assert_error(invited, 403, "forbidden")
        left = await client.delete(f"{path}/members/{user.id}", headers=user.headers)
        assert_error(left, 409, "conflict")
        assert await rows_of(app, personal) == before


class TestDeleteWorkspace:
    async def test_takes_everything_in_it(
        self, app: FastAPI, client: httpx.AsyncClient, user: User
    ) -> None:
        member = await token_user(app)
        team = (await make_team(client, user))["id"]
        await join(app, team, member, "editor")
        base = f"/workspaces/{team}"
        note = await client.post(
            f"{base}/notes", json={"title": "N"}, headers={**user.headers, "Idempotency-Key": "n"}
        )
        await client.post(
            f"{base}/tasks", json={"title": "T"}, headers={**user.headers, "Idempotency-Key": "t"}
        )
        link = await client.post(f"{base}/notes/{note.json()['id']}/links", headers=user.headers)
        invitation = await client.post(
            f"{base}/invitations", json={"role": "viewer"}, headers=user.headers
        )
        held = await rows_of(app, team)
        made = ("workspace", "membership", "note", "task", "public_link", "invitation")
        assert all(held[table] for table in (*made, "idempotency_key"))

        assert (await client.delete(base, headers=user.headers)).status_code == 204
        assert all(not rows for rows in (await rows_of(app, team)).values())
        assert_error(await client.get(base, headers=member.headers), 404, "not_found")
        assert (await client.get(link.json()["path"])).status_code == 404
        accepted = await client.post(
            "/invitations/accept",
            json={"token": invitation.json()["token"]},
            headers=member.headers,
        )
        assert_error(accepted, 404, "not_found", "Invitation not found")
        assert (await listed(client, member))["total"] == 1

    async def test_a_stale_if_match_is_412(self, client: httpx.AsyncClient, user: User) -> None:
        path = f"/workspaces/{(await make_team(client, user))['id']}"
        await client.patch(path, json={"name": "Renamed"}, headers=user.headers)
        stale = await client.delete(path, headers={**user.headers, "If-Match": '"1"'})
        assert_error(stale, 412, "precondition_failed")
        assert (await client.get(path, headers=user.headers)).status_code == 200
        fresh = await client.delete(path, headers={**user.headers, "If-Match": '"2"'})
        assert fresh.status_code == 204
