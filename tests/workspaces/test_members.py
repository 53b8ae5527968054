"""Members of a workspace (API.md §7): who they are, their roles, leaving."""

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.kit.ids import new_id
from tests.auth.external.apps import relying_app
from tests.auth.external.provider import bearer, ed25519_key, jwks_server, mint
from tests.factories import PASSWORD, User, access_token, token_user, unique_email
from tests.workspaces.support import assert_error, join, make_team, team_with

FIELDS = {"user_id", "email", "display_name", "role", "joined_at"}


async def members_of(
    client: httpx.AsyncClient, user: User, workspace_id: str, **params: Any
) -> dict[str, Any]:
    response = await client.get(
        f"/workspaces/{workspace_id}/members", params=params, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def roles(client: httpx.AsyncClient, user: User, workspace_id: str) -> dict[str, str]:
    page = await members_of(client, user, workspace_id, limit=100)
    return {member["user_id"]: member["role"] for member in page["items"]}


async def registered(app: FastAPI, client: httpx.AsyncClient, display_name: str) -> User:
    email = unique_email()
    body = {"email": email.upper(), "password": PASSWORD, "display_name": display_name}
    response = await client.post("/auth/register", json=body)
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    return User(id=user_id, email=email, token=access_token(app, user_id))


class TestListMembers:
    async def test_by_joining_time_with_their_profiles(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        owner = await registered(app, client, "Olga Owner")
        anonymous = await token_user(app)
        team = (await make_team(client, owner))["id"]
        await join(app, team, anonymous, "viewer")
        page = await members_of(client, owner, team)
        assert page["total"] == 2
        first, second = page["items"]
        assert set(first) == FIELDS
        assert (first["user_id"], first["email"], first["display_name"], first["role"]) == (
            owner.id,
            owner.email,
            "Olga Owner",
            "owner",
        )
        # An id with no account row of ours has no profile to show.
        assert (second["user_id"], second["email"], second["display_name"]) == (
            anonymous.id,
            None,
            None,
        )
        assert first["joined_at"] <= second["joined_at"]

    async def test_pages_walk_joining_order_then_user_id(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        owner = await token_user(app)
        team, _people = await team_with(app, client, owner, a="viewer", b="editor", c="admin")
        everything = (await members_of(client, owner, team))["items"]
        order = [(member["joined_at"], member["user_id"]) for member in everything]
        assert order == sorted(order)
        paged = []
        for offset in (0, 2):
            page = await members_of(client, owner, team, limit=2, offset=offset)
            assert page["total"] == 4
            paged += page["items"]
        assert paged == everything

    async def test_a_provider_users_profile_comes_from_their_token(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        key = ed25519_key()
        with jwks_server([key]) as jwks:
            async with relying_app(database_url, tmp_path_factory, jwks.url) as app:
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                    owner = await token_user(app)
                    team = (await make_team(client, owner))["id"]
                    token = mint(key, email="grace@example.com", name="Grace Hopper")
                    invited = await client.post(
                        f"/workspaces/{team}/invitations",
                        json={"role": "editor", "email": "Grace@Example.com"},
                        headers=owner.headers,
                    )
                    body = {"token": invited.json()["token"]}
                    # The invitation is bound to the email claim: another's is refused.
                    other = mint(key, email="ada@example.com")
                    refused = await client.post(
                        "/invitations/accept", json=body, headers=bearer(other)
                    )
                    assert_error(refused, 404, "not_found", "Invitation not found")
                    accepted = await client.post(
                        "/invitations/accept", json=body, headers=bearer(token)
                    )
                    assert accepted.status_code == 200, accepted.text
                    [_, grace] = (await members_of(client, owner, team))["items"]
                    assert (grace["email"], grace["display_name"], grace["role"]) == (
                        "grace@example.com",
                        "Grace Hopper",
                        "editor",
                    )


class TestChangeRole:
    async def test_answers_the_member_and_keeps_it(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        owner = await token_user(app)
        team, people = await team_with(app, client, owner, admin="admin", viewer="viewer")
        response = await client.patch(
            f"/workspaces/{team}/members/{people['viewer'].id}",
            json={"role": "editor"},
            headers=people["admin"].headers,
        )
        assert response.status_code == 200, response.text
        assert set(response.json()) == FIELDS
        assert (response.json()["user_id"], response.json()["role"]) == (
            people["viewer"].id,
            "editor",
        )
        assert (await roles(client, owner, team))[people["viewer"].id] == "editor"
        listed = await client.get(f"/workspaces/{team}", headers=people["viewer"].headers)
        assert listed.json()["role"] == "editor"

    async def test_an_admin_may_not_change_their_own_role_but_may_leave(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        owner = await token_user(app)
        team, people = await team_with(app, client, owner, admin="admin")
        path = f"/workspaces/{team}/members/{people['admin'].id}"
        demoted = await client.patch(path, json={"role": "editor"}, headers=people["admin"].headers)
        assert_error(demoted, 403, "forbidden")
        assert (await client.delete(path, headers=people["admin"].headers)).status_code == 204

    @pytest.mark.parametrize("user_id", [str(new_id()), "someone", "x" * 300])
    async def test_an_unknown_member_is_404(
        self, app: FastAPI, client: httpx.AsyncClient, user_id: str
    ) -> None:
        owner = await token_user(app)
        team = (await make_team(client, owner))["id"]
        path = f"/workspaces/{team}/members/{user_id}"
        changed = await client.patch(path, json={"role": "viewer"}, headers=owner.headers)
        assert_error(changed, 404, "not_found", "Member not found")
        removed = await client.delete(path, headers=owner.headers)
        assert_error(removed, 404, "not_found", "Member not found")

    @pytest.mark.parametrize("body", [{"role": "superuser"}, {}, {"role": "viewer", "x": 1}])
    async def test_a_bad_role_is_422(
        self, app: FastAPI, client: httpx.AsyncClient, body: dict[str, Any]
    ) -> None:
        owner = await token_user(app)
        team, people = await team_with(app, client, owner, viewer="viewer")
        path = f"/workspaces/{team}/members/{people['viewer'].id}"
        response = await client.patch(path, json=body, headers=owner.headers)
        assert_error(response, 422, "validation_error")


class TestLastOwner:
    async def test_another_owner_lets_the_first_step_down_and_leave(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        owner = await token_user(app)
        team, people = await team_with(app, client, owner, heir="admin")
        heir = people["heir"]
        base = f"/workspaces/{team}/members"
        alone = await client.delete(f"{base}/{owner.id}", headers=owner.headers)
        assert_error(alone, 409, "conflict")
        promoted = await client.patch(
            f"{base}/{heir.id}", json={"role": "owner"}, headers=owner.headers
        )
        assert promoted.json()["role"] == "owner"
        stepped = await client.patch(
            f"{base}/{owner.id}", json={"role": "viewer"}, headers=owner.headers
        )
        assert stepped.json()["role"] == "viewer"
        assert (await client.delete(f"{base}/{owner.id}", headers=owner.headers)).status_code == 204
        assert await roles(client, heir, team) == {heir.id: "owner"}

    async def test_two_owners_demoting_each_other_at_once_leave_one(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        first = await token_user(app)
        team, people = await team_with(app, client, first, second="owner")
        second = people["second"]
        base = f"/workspaces/{team}/members"
        responses = await asyncio.gather(
            client.patch(f"{base}/{second.id}", json={"role": "admin"}, headers=first.headers),
            client.patch(f"{base}/{first.id}", json={"role": "admin"}, headers=second.headers),
        )
        statuses = sorted(response.status_code for response in responses)
        # The second to go is no longer an owner (403), or the last one (409).
        assert statuses[0] == 200, statuses
        assert statuses[1] in (403, 409), statuses
        assert sorted((await roles(client, first, team)).values()) == ["admin", "owner"]

    async def test_two_owners_leaving_at_once_leave_one(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        first = await token_user(app)
        team, people = await team_with(app, client, first, second="owner", third="editor")
        second = people["second"]
        base = f"/workspaces/{team}/members"
        responses = await asyncio.gather(
            client.delete(f"{base}/{first.id}", headers=first.headers),
            client.delete(f"{base}/{second.id}", headers=second.headers),
        )
        assert sorted(response.status_code for response in responses) == [204, 409]
        remaining = await roles(client, people["third"], team)
        assert sorted(remaining.values()) == ["editor", "owner"]


class TestLeave:
    async def test_a_member_who_left_sees_nothing_of_it(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        owner = await token_user(app)
        team, people = await team_with(app, client, owner, editor="editor")
        editor = people["editor"]
        path = f"/workspaces/{team}/members/{editor.id}"
        assert (await client.delete(path, headers=editor.headers)).status_code == 204
        for again in (
            await client.get(f"/workspaces/{team}", headers=editor.headers),
            await client.get(f"/workspaces/{team}/notes", headers=editor.headers),
            await client.delete(path, headers=editor.headers),
        ):
            assert_error(again, 404, "not_found", "Workspace not found")
        listed = await client.get("/workspaces", headers=editor.headers)
        assert [item["personal"] for item in listed.json()["items"]] == [True]
        assert editor.id not in await roles(client, owner, team)
