"""Deleting an account while other requests of it, or of its team, are under way:
the deletion and each of them happen one after the other (API.md §7 Accounts)."""

import asyncio
import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from teamnotes.workspaces.models import Membership, Workspace
from tests.factories import make_user, token_user
from tests.workspaces.support import join, make_team

ROUNDS = 10


async def left_of(app: FastAPI, user_id: str, created: httpx.Response) -> int:
    """Memberships of the account, and the workspace it made if it still exists."""
    statements = [select(func.count()).where(Membership.user_id == user_id)]
    if created.status_code == 201:
        made = uuid.UUID(created.json()["id"])
        statements.append(select(func.count()).where(Workspace.id == made))
    async with app.state.database.reader.connect() as connection:
        return sum([int((await connection.execute(each)).scalar_one()) for each in statements])


class TestDeletingWhileJoining:
    async def test_no_membership_outlives_the_account(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        owner = await token_user(app)
        team = (await make_team(client, owner))["id"]
        for _ in range(ROUNDS):
            user = await make_user(client)
            invited = await client.post(
                f"/workspaces/{team}/invitations", json={"role": "owner"}, headers=owner.headers
            )
            token = {"token": invited.json()["token"]}
            deleted, created, accepted = await asyncio.gather(
                client.delete("/auth/me", headers=user.headers),
                client.post("/workspaces", json={"name": "New"}, headers=user.headers),
                client.post("/invitations/accept", json=token, headers=user.headers),
            )
            # Whatever came first, nothing of the account is left once it is gone.
            assert deleted.status_code == 204, deleted.text
            assert created.status_code in (201, 401), created.text
            assert accepted.status_code in (200, 401), accepted.text
            assert await left_of(app, user.id, created) == 0


class TestDeletingWhileTheOtherOwnerLeaves:
    async def test_the_team_keeps_an_owner(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        for _ in range(ROUNDS):
            leaving, deleting = await token_user(app), await make_user(client)
            editor = await token_user(app)
            team = (await make_team(client, leaving))["id"]
            await join(app, team, deleting, "owner")
            await join(app, team, editor, "editor")
            left, deleted = await asyncio.gather(
                client.delete(f"/workspaces/{team}/members/{leaving.id}", headers=leaving.headers),
                client.delete("/auth/me", headers=deleting.headers),
            )
            # The second to act is the last owner of a team with others: 409.
            assert sorted((left.status_code, deleted.status_code)) == [204, 409]
            owners = await client.get(f"/workspaces/{team}/members", headers=editor.headers)
            roles = [member["role"] for member in owners.json()["items"]]
            assert sorted(roles) == ["editor", "owner"]
