"""Helpers of the API key tests: keys made through the API, sent as bearers."""

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from tests.factories import User, token_user


@dataclass(frozen=True)
class Key:
    id: str
    token: str
    body: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_key(
    client: httpx.AsyncClient, user: User, *, scope: str = "read", **fields: Any
) -> Key:
    body = {"name": f"{scope} key", "scope": scope, **fields}
    response = await client.post("/auth/api-keys", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    return Key(created["id"], created["token"], created)


async def make_workspace(client: httpx.AsyncClient, user: User, name: str = "Team") -> str:
    response = await client.post("/workspaces", json={"name": name}, headers=user.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def team_with(client: httpx.AsyncClient, app: FastAPI, role: str) -> tuple[User, User, str]:
    """An owner, a member of theirs with `role`, and the team workspace they share."""
    owner, member = await token_user(app), await token_user(app)
    workspace = await make_workspace(client, owner)
    invited = await client.post(
        f"/workspaces/{workspace}/invitations", json={"role": role}, headers=owner.headers
    )
    accepted = await client.post(
        "/invitations/accept", json={"token": invited.json()["token"]}, headers=member.headers
    )
    assert accepted.status_code == 200, accepted.text
    return owner, member, workspace
