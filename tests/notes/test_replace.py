"""PUT /notes/{id} (API.md §3)."""

import json

import httpx
import pytest

from tests.errors import assert_error, assert_validation_error
from tests.factories import User, make_note, without_request_id
from tests.notes.support import JSON, TIMESTAMP, get_note, missing_id, not_found_body


class TestReplaceNote:
    async def test_replaces_title_and_content_and_moves_the_version(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Old", content="old")
        response = await client.put(
            f"/notes/{note['id']}",
            json={"title": " New ", "content": " new "},
            headers=alice.headers,
        )
        assert response.status_code == 200
        replaced = response.json()
        assert (replaced["title"], replaced["content"], replaced["version"]) == ("New", " new ", 2)
        assert response.headers["ETag"] == '"2"'
        assert replaced["created_at"] == note["created_at"]
        assert TIMESTAMP.match(replaced["updated_at"])
        assert replaced["updated_at"] > note["updated_at"]
        assert await get_note(client, alice, note["id"]) == replaced

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"title": "only a title"}, "content"),
            ({"content": "only content"}, "title"),
            ({"title": "   ", "content": ""}, "title"),
            ({"title": "t" * 201, "content": ""}, "title"),
            ({"title": "t", "content": "c" * 100_001}, "content"),
            ({"title": "t", "content": "", "version": 9}, "version"),
        ],
    )
    async def test_invalid_body_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient, alice: User, body: dict[str, object], field: str
    ) -> None:
        note = await make_note(client, alice)
        response = await client.put(f"/notes/{note['id']}", json=body, headers=alice.headers)
        assert_validation_error(response, field)
        assert await get_note(client, alice, note["id"]) == note

    async def test_the_same_values_change_nothing(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Same", content="same")
        response = await client.put(
            f"/notes/{note['id']}",
            json={"title": "  Same ", "content": "same"},
            headers=alice.headers,
        )
        assert response.status_code == 200
        assert response.json() == note
        assert response.headers["ETag"] == '"1"'

    async def test_wrong_content_type_is_415_and_changes_nothing(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        response = await client.put(
            f"/notes/{note['id']}",
            content=json.dumps({"title": "x", "content": "y"}).encode(),
            headers={**alice.headers, "Content-Type": "text/plain"},
        )
        assert_error(response, 415, "unsupported_media_type")
        assert await get_note(client, alice, note["id"]) == note

    async def test_broken_json_is_400(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice)
        response = await client.put(
            f"/notes/{note['id']}", content=b'{"title": ', headers={**alice.headers, **JSON}
        )
        assert_error(response, 400, "invalid_json")

    async def test_missing_note_is_404(self, client: httpx.AsyncClient, alice: User) -> None:
        response = await client.put(
            f"/notes/{missing_id()}", json={"title": "x", "content": ""}, headers=alice.headers
        )
        assert without_request_id(response.json()) == await not_found_body(client, alice)
