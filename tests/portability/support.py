"""What the export and import tests share: workspaces with members, zips made here."""

import asyncio
import io
import zipfile
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.cli import main
from teamnotes.config import get_settings
from tests.factories import User

ZIP = {"Content-Type": "application/zip"}


async def make_workspace(client: httpx.AsyncClient, owner: User, name: str = "Team") -> str:
    response = await client.post("/workspaces", json={"name": name}, headers=owner.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def add_member(
    client: httpx.AsyncClient, workspace_id: str, admin: User, member: User, role: str
) -> None:
    invited = await client.post(
        f"/workspaces/{workspace_id}/invitations", json={"role": role}, headers=admin.headers
    )
    assert invited.status_code == 201, invited.text
    accepted = await client.post(
        "/invitations/accept", json={"token": invited.json()["token"]}, headers=member.headers
    )
    assert accepted.status_code == 200, accepted.text


def zipped(files: Mapping[str, str | bytes]) -> bytes:
    """A zip of these files (text as UTF-8), compressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data.encode() if isinstance(data, str) else data)
    return buffer.getvalue()


def unzipped(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


async def export(client: httpx.AsyncClient, user: User, workspace_id: str) -> bytes:
    response = await client.get(f"/workspaces/{workspace_id}/export", headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/zip"
    return response.content


async def send_import(
    client: httpx.AsyncClient,
    user: User,
    workspace_id: str,
    body: bytes,
    **headers: str,
) -> httpx.Response:
    return await client.post(
        f"/workspaces/{workspace_id}/import",
        content=body,
        headers={**user.headers, **ZIP, **headers},
    )


async def listed(
    client: httpx.AsyncClient, user: User, workspace_id: str, kind: str
) -> list[dict[str, Any]]:
    """Every live note or task of the workspace, in the order of their ids."""
    items: list[dict[str, Any]] = []
    while True:
        response = await client.get(
            f"/workspaces/{workspace_id}/{kind}",
            params={"limit": 100, "offset": len(items), "sort": "created_at"},
            headers=user.headers,
        )
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if len(items) >= page["total"]:
            return sorted(items, key=lambda item: (item["created_at"], item["title"]))


async def command(configured: pytest.MonkeyPatch, database_url: str, *argv: str) -> None:
    """`teamnotes …argv` on the deployment at `database_url`, as its own process would
    run it (in a thread: the command runs an event loop of its own)."""
    configured.setenv("TEAMNOTES_DATABASE_URL", database_url)
    get_settings.cache_clear()
    await asyncio.to_thread(main, list(argv))


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
