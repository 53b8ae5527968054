"""What the trash and revisions tests share: a team with members of given roles,
a client for an app of a test's own, and looks at the trash and at a note's history."""

import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.kit.db import utcnow
from teamnotes.workspaces.gate import Role
from teamnotes.workspaces.service import add_member
from tests.conftest import running_app
from tests.factories import User, token_user

MISSING_ID = "01a20000-0000-7000-8000-000000000000"


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app made by the test (the `client` fixture serves the shared one)."""
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def team_with(
    app: FastAPI, client: httpx.AsyncClient, owner: User, **members: Role
) -> tuple[str, dict[str, User]]:
    """A team workspace of `owner` and of fresh users with the given roles, by name."""
    made = await client.post("/workspaces", json={"name": "Team"}, headers=owner.headers)
    assert made.status_code == 201, made.text
    workspace_id = made.json()["id"]
    people = {}
    for name, role in members.items():
        people[name] = await token_user(app)
        async with app.state.database.write_session() as session, session.begin():
            await add_member(session, uuid.UUID(workspace_id), people[name].id, role, utcnow())
    return workspace_id, people


async def trash_of(client: httpx.AsyncClient, user: User, base: str = "") -> list[Any]:
    """The trash's entries as `user` sees them under `base` (a workspace path, or "")."""
    response = await client.get(f"{base}/trash", params={"limit": 100}, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def deleted(client: httpx.AsyncClient, user: User, path: str) -> None:
    response = await client.delete(path, headers=user.headers)
    assert response.status_code == 204, response.text


async def revisions_of(client: httpx.AsyncClient, user: User, note_path: str) -> list[Any]:
    """The note's revisions as `user` sees them, newest first."""
    response = await client.get(
        f"{note_path}/revisions", params={"limit": 100}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def versions_kept(client: httpx.AsyncClient, user: User, note_path: str) -> list[int]:
    return [revision["version"] for revision in await revisions_of(client, user, note_path)]


async def edited(
    client: httpx.AsyncClient, user: User, note_path: str, **fields: Any
) -> dict[str, Any]:
    response = await client.patch(note_path, json=fields, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def make_in(
    client: httpx.AsyncClient, user: User, collection: str, **fields: Any
) -> dict[str, Any]:
    """A note or task made by `user` in `collection` (`/workspaces/{id}/notes`, …)."""
    response = await client.post(collection, json=fields, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def app_fixture(**overrides: object) -> Any:
    """A module's fixture: an app of its own on the run's database, set with `overrides`."""

    @pytest.fixture(scope="module")
    async def configured(
        database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> AsyncIterator[FastAPI]:
        async with running_app(database_url, tmp_path_factory, **overrides) as made:
            yield made

    return configured
