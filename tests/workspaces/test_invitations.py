"""Invitations (API.md §7): made by admins, a token handed on, good for one acceptance."""

import asyncio
import hashlib
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from teamnotes.workspaces.models import Invitation
from tests.conftest import running_app
from tests.factories import User, make_user, token_user
from tests.workspaces.support import MISSING_ID, assert_error, join, make_team

FIELDS = {"id", "workspace_id", "email", "role", "invited_by", "created_at", "expires_at"}
ROUNDS = 10


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def invite(
    client: httpx.AsyncClient, admin: User, workspace_id: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/workspaces/{workspace_id}/invitations",
        json={"role": "editor", **body},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def accept(client: httpx.AsyncClient, user: User, token: str) -> httpx.Response:
    return await client.post("/invitations/accept", json={"token": token}, headers=user.headers)


async def stored(app: FastAPI, invitation_id: str) -> Any:
    async with app.state.database.read_session() as session:
        statement = select(Invitation).where(Invitation.id == uuid.UUID(invitation_id))
        return (await session.execute(statement)).scalar_one_or_none()


async def pending(client: httpx.AsyncClient, admin: User, workspace_id: str) -> list[str]:
    response = await client.get(f"/workspaces/{workspace_id}/invitations", headers=admin.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


class TestCreateInvitation:
    async def test_the_token_is_returned_once_and_stored_as_a_hash(
        self, app: FastAPI, client: httpx.AsyncClient, owner: User, team: str
    ) -> None:
        created = await invite(client, owner, team, email="  Bob@Example.COM ", role="viewer")
        assert set(created) == FIELDS | {"token"}
        assert (created["workspace_id"], created["email"], created["role"]) == (
            team,
            "bob@example.com",
            "viewer",
        )
        assert created["invited_by"] == owner.id
        week = moment(created["expires_at"]) - moment(created["created_at"])
        assert week == timedelta(days=7)
        token = created["token"]
        # At least 128 random bits, URL-safe.
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", token)
        row = await stored(app, created["id"])
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in repr(
            [getattr(row, column.key) for column in Invitation.__table__.columns]
        )
        listed = await client.get(f"/workspaces/{team}/invitations", headers=owner.headers)
        [item] = listed.json()["items"]
        assert item == {key: created[key] for key in FIELDS}

    async def test_its_lifetime_is_the_setting(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        async with running_app(database_url, tmp_path_factory, invitation_ttl=90) as app:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                owner = await token_user(app)
                created = await invite(client, owner, (await make_team(client, owner))["id"])
        lifetime = moment(created["expires_at"]) - moment(created["created_at"])
        assert lifetime == timedelta(seconds=90)

    @pytest.mark.parametrize(
        "body", [{"role": "boss"}, {"email": "not an address"}, {"role": "viewer", "token": "x"}]
    )
    async def test_a_bad_body_is_422(
        self, client: httpx.AsyncClient, owner: User, team: str, body: dict[str, Any]
    ) -> None:
        response = await client.post(
            f"/workspaces/{team}/invitations",
            json={"role": "viewer", **body},
            headers=owner.headers,
        )
        assert_error(response, 422, "validation_error")
        assert await pending(client, owner, team) == []


class TestListInvitations:
    async def test_newest_first_and_without_the_expired(
        self, app: FastAPI, client: httpx.AsyncClient, owner: User, team: str
    ) -> None:
        made = [(await invite(client, owner, team))["id"] for _ in range(3)]
        async with app.state.database.write_session() as session, session.begin():
            await session.execute(
                update(Invitation)
                .where(Invitation.id == uuid.UUID(made[1]))
                .values(expires_at=datetime.now().astimezone() - timedelta(seconds=1))
            )
        assert await pending(client, owner, team) == [made[2], made[0]]
        page = await client.get(
            f"/workspaces/{team}/invitations", params={"limit": 1}, headers=owner.headers
        )
        assert (page.json()["total"], len(page.json()["items"])) == (2, 1)


class TestRevokeInvitation:
    async def test_it_stops_working(
        self, app: FastAPI, client: httpx.AsyncClient, owner: User, team: str
    ) -> None:
        created = await invite(client, owner, team)
        path = f"/workspaces/{team}/invitations/{created['id']}"
        assert (await client.delete(path, headers=owner.headers)).status_code == 204
        someone = await token_user(app)
        assert_error(
            await accept(client, someone, created["token"]),
            404,
            "not_found",
            "Invitation not found",
        )
        again = await client.delete(path, headers=owner.headers)
        assert_error(again, 404, "not_found", "Invitation not found")

    @pytest.mark.parametrize("invitation_id", [MISSING_ID, "nonsense"])
    async def test_an_unknown_one_is_404(
        self, client: httpx.AsyncClient, owner: User, team: str, invitation_id: str
    ) -> None:
        path = f"/workspaces/{team}/invitations/{invitation_id}"
        response = await client.delete(path, headers=owner.headers)
        assert_error(response, 404, "not_found", "Invitation not found")

    async def test_another_workspaces_invitation_is_404_and_stays(
        self, client: httpx.AsyncClient, owner: User, team: str
    ) -> None:
        elsewhere = (await make_team(client, owner, "Elsewhere"))["id"]
        created = await invite(client, owner, elsewhere)
        path = f"/workspaces/{team}/invitations/{created['id']}"
        assert_error(await client.delete(path, headers=owner.headers), 404, "not_found")
        assert await pending(client, owner, elsewhere) == [created["id"]]


class TestAcceptInvitation:
    async def test_joins_with_the_role_and_uses_it_up(
        self, app: FastAPI, client: httpx.AsyncClient, owner: User, team: str
    ) -> None:
        created = await invite(client, owner, team, role="admin")
        joiner, latecomer = await token_user(app), await token_user(app)
        accepted = await accept(client, joiner, created["token"])
        assert accepted.status_code == 200, accepted.text
        assert (accepted.json()["id"], accepted.json()["role"]) == (team, "admin")
        assert await pending(client, owner, team) == []
        assert_error(await accept(client, latecomer, created["token"]), 404, "not_found")
        assert_error(await accept(client, joiner, created["token"]), 404, "not_found")

    async def test_by_email_only_its_addressee_case_insensitively(
        self, app: FastAPI, client: httpx.AsyncClient, owner: User, team: str
    ) -> None:
        addressee, stranger = await make_user(client), await make_user(client)
        created = await invite(client, owner, team, email=addressee.email.upper())
        for wrong in (stranger, await token_user(app)):
            refused = await accept(client, wrong, created["token"])
            assert_error(refused, 404, "not_found", "Invitation not found")
        accepted = await accept(client, addressee, created["token"])
        assert accepted.status_code == 200, accepted.text

    async def test_a_member_keeps_their_role_and_uses_it_up(
        self, app: FastAPI, client: httpx.AsyncClient, owner: User, team: str
    ) -> None:
        admin = await token_user(app)
        await join(app, team, admin, "admin")
        created = await invite(client, owner, team, role="viewer")
        accepted = await accept(client, admin, created["token"])
        assert accepted.json()["role"] == "admin"
        assert await pending(client, owner, team) == []
        assert_error(
            await accept(client, await token_user(app), created["token"]), 404, "not_found"
        )

    async def test_an_expired_one_is_404(
        self, app: FastAPI, client: httpx.AsyncClient, owner: User, team: str
    ) -> None:
        created = await invite(client, owner, team)
        async with app.state.database.write_session() as session, session.begin():
            await session.execute(
                update(Invitation)
                .where(Invitation.id == uuid.UUID(created["id"]))
                .values(expires_at=datetime.now().astimezone() - timedelta(microseconds=1))
            )
        refused = await accept(client, await token_user(app), created["token"])
        assert_error(refused, 404, "not_found", "Invitation not found")

    @pytest.mark.parametrize(("token", "status"), [("unknown", 404), ("", 422), ("x" * 201, 422)])
    async def test_an_unknown_or_malformed_token(
        self, app: FastAPI, client: httpx.AsyncClient, token: str, status: int
    ) -> None:
        response = await accept(client, await token_user(app), token)
        assert response.status_code == status, response.text

    async def test_two_at_once_exactly_one_joins(
        self, app: FastAPI, client: httpx.AsyncClient, owner: User, team: str
    ) -> None:
        for _ in range(ROUNDS):
            created = await invite(client, owner, team, role="viewer")
            first, second = await token_user(app), await token_user(app)
            responses = await asyncio.gather(
                accept(client, first, created["token"]), accept(client, second, created["token"])
            )
            assert sorted(response.status_code for response in responses) == [200, 404]
        members = await client.get(
            f"/workspaces/{team}/members", params={"limit": 1}, headers=owner.headers
        )
        assert members.json()["total"] == 1 + ROUNDS
