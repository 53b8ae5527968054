"""What the workspaces tests share: teams made through the API, members added
directly, and a picture of every row a workspace holds."""

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Table, select

from teamnotes.kit.db import Base, utcnow
from teamnotes.workspaces.gate import Role
from teamnotes.workspaces.service import add_member
from tests.factories import User, token_user

MISSING_ID = "01a20000-0000-7000-8000-000000000000"


async def make_team(client: httpx.AsyncClient, owner: User, name: str = "Team") -> dict[str, Any]:
    response = await client.post("/workspaces", json={"name": name}, headers=owner.headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def join(app: FastAPI, workspace_id: str, user: User, role: Role) -> None:
    """Make `user` a member with `role`, as an accepted invitation would."""
    async with app.state.database.write_session() as session, session.begin():
        await add_member(session, uuid.UUID(workspace_id), user.id, role, utcnow())


async def team_with(
    app: FastAPI, client: httpx.AsyncClient, owner: User, **members: Role
) -> tuple[str, dict[str, User]]:
    """A team of `owner` and fresh users with the given roles, by name."""
    workspace = await make_team(client, owner)
    people = {}
    for name, role in members.items():
        people[name] = await token_user(app)
        await join(app, workspace["id"], people[name], role)
    return workspace["id"], people


def error_of(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error_code"]


def assert_error(
    response: httpx.Response, status: int, code: str, detail: str | None = None
) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code, body
    assert body["request_id"] == response.headers["X-Request-ID"]
    if detail is not None:
        assert body["detail"] == detail, body


def _workspace_tables() -> list[Table]:
    """Every table whose rows belong to one workspace, the workspace's own included:
    a table added later is pictured too."""
    return [
        table
        for table in Base.metadata.sorted_tables
        if table.name == "workspace" or "workspace_id" in table.c
    ]


async def rows_of(app: FastAPI, *workspace_ids: str) -> dict[str, list[dict[str, Any]]]:
    """Every row the workspaces hold, table by table, in primary-key order."""
    keys = [uuid.UUID(key) for key in workspace_ids]
    picture: dict[str, list[dict[str, Any]]] = {}
    async with app.state.database.reader.connect() as connection:
        for table in _workspace_tables():
            column = table.c.id if table.name == "workspace" else table.c.workspace_id
            statement = select(table).where(column.in_(keys)).order_by(*table.primary_key.columns)
            result = await connection.execute(statement)
            picture[table.name] = [dict(row._mapping) for row in result]
    return picture
