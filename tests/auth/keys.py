"""Helpers of the API key tests: keys made through the API, sent as bearers."""

from dataclasses import dataclass
from typing import Any

import httpx

from tests.factories import User


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
