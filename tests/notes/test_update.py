"""PATCH /notes/{id} (API.md §3)."""

import httpx
import pytest

from tests.errors import assert_error, assert_validation_error
from tests.factories import User, make_note, without_request_id
from tests.notes.support import JSON, get_note, missing_id, not_found_body


class TestUpdateNote:
    async def test_changes_only_the_fields_sent(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Title", content="content")
        response = await client.patch(
            f"/notes/{note['id']}", json={"content": "changed"}, headers=alice.headers
        )
        assert response.status_code == 200
        assert response.json()["title"] == "Title"
        assert response.json()["content"] == "changed"
        response = await client.patch(
            f"/notes/{note['id']}", json={"title": " Renamed "}, headers=alice.headers
        )
        updated = response.json()
        assert (updated["title"], updated["content"], updated["version"]) == (
            "Renamed",
            "changed",
            3,
        )
        assert response.headers["ETag"] == '"3"'
        assert await get_note(client, alice, note["id"]) == updated

    @pytest.mark.parametrize(
        "body", [{}, {"title": "Same"}, {"title": "  Same\t"}, {"content": "same"}]
    )
    async def test_a_patch_that_changes_nothing_keeps_version_and_updated_at(
        self, client: httpx.AsyncClient, alice: User, body: dict[str, str]
    ) -> None:
        note = await make_note(client, alice, title="Same", content="same")
        response = await client.patch(f"/notes/{note['id']}", json=body, headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == note
        assert response.headers["ETag"] == '"1"'
        assert await get_note(client, alice, note["id"]) == note

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"title": None}, "title"),
            ({"content": None}, "content"),
            ({"title": ""}, "title"),
            ({"title": " \n "}, "title"),
            ({"title": "t" * 201}, "title"),
            ({"title": "a\x00"}, "title"),
            ({"content": "\x00"}, "content"),
            ({"version": 1}, "version"),
            ({"id": "0190a6a0-0000-7000-8000-000000000000"}, "id"),
            ({"owner_id": "x"}, "owner_id"),
        ],
    )
    async def test_invalid_body_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient, alice: User, body: dict[str, object], field: str
    ) -> None:
        note = await make_note(client, alice)
        response = await client.patch(f"/notes/{note['id']}", json=body, headers=alice.headers)
        assert_validation_error(response, field)
        assert await get_note(client, alice, note["id"]) == note

    async def test_json_array_is_422(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice)
        response = await client.patch(
            f"/notes/{note['id']}", content=b"[]", headers={**alice.headers, **JSON}
        )
        assert_error(response, 422, "validation_error")

    async def test_body_without_content_type_is_415(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        response = await client.patch(
            f"/notes/{note['id']}", content=b'{"title": "x"}', headers=alice.headers
        )
        assert_error(response, 415, "unsupported_media_type")
        assert await get_note(client, alice, note["id"]) == note

    async def test_missing_note_is_404(self, client: httpx.AsyncClient, alice: User) -> None:
        response = await client.patch(
            f"/notes/{missing_id()}", json={"title": "x"}, headers=alice.headers
        )
        assert without_request_id(response.json()) == await not_found_body(client, alice)
