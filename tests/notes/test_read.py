"""GET /notes/{id} (API.md §3), conditional GETs included."""

import httpx
import pytest

from tests.errors import assert_error
from tests.factories import User, make_note, without_request_id
from tests.notes.support import missing_id, not_found_body


class TestReadNote:
    async def test_returns_the_note_with_its_etag(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        response = await client.get(f"/notes/{note['id']}", headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == note
        assert response.headers["ETag"] == '"1"'

    async def test_missing_note_is_404(self, client: httpx.AsyncClient, alice: User) -> None:
        await not_found_body(client, alice)

    async def test_two_404s_differ_only_in_request_id(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        first = await client.get(f"/notes/{missing_id()}", headers=alice.headers)
        second = await client.get(f"/notes/{missing_id()}", headers=alice.headers)
        assert first.json()["request_id"] != second.json()["request_id"]
        assert without_request_id(first.json()) == without_request_id(second.json())

    async def test_a_deleted_note_is_404(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice)
        assert (
            await client.delete(f"/notes/{note['id']}", headers=alice.headers)
        ).status_code == 204
        response = await client.get(f"/notes/{note['id']}", headers=alice.headers)
        assert without_request_id(response.json()) == await not_found_body(client, alice)

    async def test_if_none_match_with_the_current_etag_is_304_without_body(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        response = await client.get(
            f"/notes/{note['id']}", headers={**alice.headers, "If-None-Match": '"1"'}
        )
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["ETag"] == '"1"'
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Request-ID"]

    @pytest.mark.parametrize("header", ['W/"1"', '"9", "1"', "*"])
    async def test_if_none_match_matches_weakly_in_a_list_or_any(
        self, client: httpx.AsyncClient, alice: User, header: str
    ) -> None:
        note = await make_note(client, alice)
        response = await client.get(
            f"/notes/{note['id']}", headers={**alice.headers, "If-None-Match": header}
        )
        assert response.status_code == 304

    async def test_if_none_match_with_a_stale_etag_is_200(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        await client.patch(f"/notes/{note['id']}", json={"title": "v2"}, headers=alice.headers)
        response = await client.get(
            f"/notes/{note['id']}", headers={**alice.headers, "If-None-Match": '"1"'}
        )
        assert response.status_code == 200
        assert response.json()["title"] == "v2"
        assert response.headers["ETag"] == '"2"'

    async def test_if_none_match_on_a_missing_note_is_404(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        response = await client.get(
            f"/notes/{missing_id()}", headers={**alice.headers, "If-None-Match": "*"}
        )
        assert_error(response, 404, "not_found")
