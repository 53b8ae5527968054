"""POST /workspaces/{id}/import as a request (API.md §1, §7, §10): media type, body size,
roles, other workspaces, and Idempotency-Key."""

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import running_app
from tests.factories import make_user, token_user
from tests.portability.support import (
    ZIP,
    add_member,
    listed,
    make_workspace,
    send_import,
    zipped,
)

VAULT = zipped({"One.md": "1", "Two.md": "2", "image.png": b"\x89PNG"})


@pytest.fixture(scope="session")
async def small_import_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    """An app that takes imports of at most 2,000 bytes (and JSON bodies of at most 100)."""
    async with running_app(
        database_url, tmp_path_factory, max_import_bytes=2_000, max_body_bytes=100
    ) as application:
        yield application


class TestImportBody:
    @pytest.mark.parametrize(
        "content_type", [None, "application/json", "application/octet-stream", "text/markdown"]
    )
    async def test_anything_but_a_zip_is_415(
        self, client: httpx.AsyncClient, content_type: str | None
    ) -> None:
        user = await make_user(client)
        team = await make_workspace(client, user)
        headers = {**user.headers, **({"Content-Type": content_type} if content_type else {})}
        response = await client.post(f"/workspaces/{team}/import", content=VAULT, headers=headers)
        assert response.status_code == 415, response.text
        assert response.json()["error_code"] == "unsupported_media_type"
        assert await listed(client, user, team, "notes") == []

    async def test_a_zip_past_the_usual_body_limit_is_taken(
        self, small_import_app: FastAPI
    ) -> None:
        body = zipped({f"{number}.md": f"note {number}" for number in range(8)})
        assert 100 < len(body) <= 2_000
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=small_import_app), base_url="http://testserver"
        ) as http:
            user = await token_user(small_import_app)
            response = await http.post("/import", content=body, headers={**user.headers, **ZIP})
            assert response.status_code == 200, response.text
            assert response.json()["notes"] == 8
            too_big_json = await http.post(
                "/notes", json={"title": "x" * 150}, headers=user.headers
            )
            assert too_big_json.status_code == 413

    @pytest.mark.parametrize("chunked", [False, True], ids=["declared", "chunked"])
    async def test_a_zip_past_the_import_limit_is_413(
        self, small_import_app: FastAPI, chunked: bool
    ) -> None:
        body = zipped({"big.bin": secrets.token_bytes(3_000)})
        assert len(body) > 2_000

        async def stream() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 500):
                yield body[start : start + 500]

        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=small_import_app), base_url="http://testserver"
        ) as http:
            user = await token_user(small_import_app)
            response = await http.post(
                "/import", content=stream() if chunked else body, headers={**user.headers, **ZIP}
            )
            assert response.status_code == 413, response.text
            assert response.json()["error_code"] == "payload_too_large"


class TestImportAccess:
    async def test_an_editor_may_import_and_a_viewer_may_not(
        self, client: httpx.AsyncClient
    ) -> None:
        owner, editor, viewer = [await make_user(client) for _ in range(3)]
        team = await make_workspace(client, owner)
        await add_member(client, team, owner, editor, "editor")
        await add_member(client, team, owner, viewer, "viewer")
        denied = await send_import(client, viewer, team, VAULT)
        assert denied.status_code == 403, denied.text
        assert denied.json()["error_code"] == "forbidden"
        assert await listed(client, owner, team, "notes") == []
        allowed = await send_import(client, editor, team, VAULT)
        assert allowed.json() == {"notes": 2, "tasks": 0, "skipped": 1}
        assert {note["created_by"] for note in await listed(client, owner, team, "notes")} == {
            editor.id
        }

    @pytest.mark.parametrize("workspace", ["someone else's", "unknown", "malformed"])
    async def test_a_workspace_one_is_not_a_member_of_is_404(
        self, client: httpx.AsyncClient, app: FastAPI, workspace: str
    ) -> None:
        owner, stranger = await make_user(client), await token_user(app)
        team = await make_workspace(client, owner)
        target = {
            "someone else's": team,
            "unknown": "0190a6a0-0000-7000-8000-000000000000",
            "malformed": "not-an-id",
        }[workspace]
        response = await send_import(client, stranger, target, VAULT)
        assert response.status_code == 404, response.text
        assert response.json()["detail"] == "Workspace not found"
        assert await listed(client, owner, team, "notes") == []


class TestImportIdempotency:
    async def test_a_retry_answers_the_same_counts_and_imports_nothing_more(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        team = await make_workspace(client, user)
        first = await send_import(client, user, team, VAULT, **{"Idempotency-Key": "import-1"})
        again = await send_import(client, user, team, VAULT, **{"Idempotency-Key": "import-1"})
        assert first.status_code == again.status_code == 200
        assert first.json() == again.json() == {"notes": 2, "tasks": 0, "skipped": 1}
        assert len(await listed(client, user, team, "notes")) == 2

    async def test_the_same_key_with_another_zip_is_422(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        team = await make_workspace(client, user)
        key = {"Idempotency-Key": "import-2"}
        assert (await send_import(client, user, team, VAULT, **key)).status_code == 200
        other = await send_import(client, user, team, zipped({"Three.md": "3"}), **key)
        assert other.status_code == 422
        assert other.json()["error_code"] == "idempotency_key_reused"
        assert len(await listed(client, user, team, "notes")) == 2

    async def test_a_refused_import_leaves_its_key_free(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        team = await make_workspace(client, user)
        key = {"Idempotency-Key": "import-3"}
        broken = zipped({"ok.md": "ok", "bad.md": b"\xff"})
        assert (await send_import(client, user, team, broken, **key)).status_code == 422
        fixed = await send_import(client, user, team, VAULT, **key)
        assert fixed.status_code == 200, fixed.text
        assert len(await listed(client, user, team, "notes")) == 2
