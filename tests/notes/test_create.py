"""POST /notes (API.md §3): what a client sees."""

import re

import httpx
import pytest

from tests.errors import assert_error, assert_validation_error
from tests.factories import User, make_note, make_user
from tests.notes.support import JSON, TIMESTAMP, get_note, list_ids

NOTE_FIELDS = {
    "id",
    "workspace_id",
    "title",
    "content",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "version",
}


class TestCreateNote:
    async def test_returns_201_with_location_etag_and_the_note(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        response = await client.post(
            "/notes", json={"title": "Groceries", "content": "- milk"}, headers=alice.headers
        )
        assert response.status_code == 201
        note = response.json()
        assert set(note) == NOTE_FIELDS
        assert note["title"] == "Groceries"
        assert note["content"] == "- milk"
        assert note["version"] == 1
        assert response.headers["ETag"] == '"1"'
        assert response.headers["Location"] == f"/notes/{note['id']}"
        assert await get_note(client, alice, note["id"]) == note

    async def test_id_is_a_canonical_uuidv7(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice)
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", note["id"]
        )

    async def test_timestamps_are_utc_with_six_fractional_digits(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        assert TIMESTAMP.match(note["created_at"])
        assert TIMESTAMP.match(note["updated_at"])
        assert note["created_at"] == note["updated_at"]

    async def test_a_registered_user_keeps_a_note(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        note = await make_note(client, user, title="Hello")
        assert await get_note(client, user, note["id"]) == note

    async def test_content_defaults_to_empty(self, client: httpx.AsyncClient, alice: User) -> None:
        response = await client.post("/notes", json={"title": "Empty"}, headers=alice.headers)
        assert response.status_code == 201
        assert response.json()["content"] == ""

    async def test_title_is_trimmed(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice, title="  \t Plans \n ")
        assert note["title"] == "Plans"

    async def test_content_is_stored_verbatim(self, client: httpx.AsyncClient, alice: User) -> None:
        content = "  \n  # Heading  \n\n\tindented\r\n  "
        note = await make_note(client, alice, content=content)
        assert note["content"] == content
        assert (await get_note(client, alice, note["id"]))["content"] == content

    @pytest.mark.parametrize("title", ["", " ", "   \t\n  ", "\u00a0\u2003"])
    async def test_blank_title_is_422(
        self, client: httpx.AsyncClient, alice: User, title: str
    ) -> None:
        response = await client.post("/notes", json={"title": title}, headers=alice.headers)
        assert_validation_error(response, "title")

    async def test_missing_title_is_422(self, client: httpx.AsyncClient, alice: User) -> None:
        response = await client.post("/notes", json={"content": "x"}, headers=alice.headers)
        assert_validation_error(response, "title")

    @pytest.mark.parametrize("title", ["t" * 200, "😀" * 200, "é" * 200, "  " + "t" * 200 + "  "])
    async def test_title_of_200_characters_is_accepted(
        self, client: httpx.AsyncClient, alice: User, title: str
    ) -> None:
        note = await make_note(client, alice, title=title)
        assert note["title"] == title.strip()

    @pytest.mark.parametrize("title", ["t" * 201, "😀" * 201])
    async def test_title_of_201_characters_is_422(
        self, client: httpx.AsyncClient, alice: User, title: str
    ) -> None:
        response = await client.post("/notes", json={"title": title}, headers=alice.headers)
        assert_validation_error(response, "title")

    @pytest.mark.parametrize("content", ["c" * 100_000, "é" * 100_000])
    async def test_content_of_100000_characters_is_accepted(
        self, client: httpx.AsyncClient, alice: User, content: str
    ) -> None:
        note = await make_note(client, alice, content=content)
        assert note["content"] == content

    async def test_content_of_100001_characters_is_422(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        response = await client.post(
            "/notes", json={"title": "Long", "content": "c" * 100_001}, headers=alice.headers
        )
        assert_validation_error(response, "content")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"title": "a\x00b"}, "title"),
            ({"title": "\x00"}, "title"),
            ({"title": "ok", "content": "a\x00b"}, "content"),
        ],
    )
    async def test_nul_is_422(
        self, client: httpx.AsyncClient, alice: User, body: dict[str, str], field: str
    ) -> None:
        response = await client.post("/notes", json=body, headers=alice.headers)
        assert_validation_error(response, field)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("version", 7),
            ("id", "0190a6a0-0000-7000-8000-000000000000"),
            ("owner_id", "someone-else"),
            ("created_at", "2020-01-01T00:00:00.000000Z"),
            ("updated_at", "2020-01-01T00:00:00.000000Z"),
            ("tags", []),
        ],
    )
    async def test_unknown_field_is_422(
        self, client: httpx.AsyncClient, alice: User, field: str, value: object
    ) -> None:
        response = await client.post(
            "/notes", json={"title": "Mass assignment", field: value}, headers=alice.headers
        )
        body = assert_validation_error(response, field)
        assert body["errors"][0]["error_code"] == "extra_forbidden"
        assert await list_ids(client, alice) == []

    @pytest.mark.parametrize(
        "body", [{"title": 5}, {"title": ["x"]}, {"title": "x", "content": None}]
    )
    async def test_wrong_types_are_422(
        self, client: httpx.AsyncClient, alice: User, body: dict[str, object]
    ) -> None:
        response = await client.post("/notes", json=body, headers=alice.headers)
        assert response.status_code == 422

    @pytest.mark.parametrize("raw", [b"[]", b'[{"title": "x"}]', b"null", b'"title"', b"3"])
    async def test_json_that_is_not_an_object_is_422(
        self, client: httpx.AsyncClient, alice: User, raw: bytes
    ) -> None:
        response = await client.post("/notes", content=raw, headers={**alice.headers, **JSON})
        body = assert_error(response, 422, "validation_error")
        assert isinstance(body["errors"], list)

    @pytest.mark.parametrize("raw", [b"{", b'{"title": "x",}', b"{'title': 'x'}", b"\xff\xfe"])
    async def test_broken_json_is_400(
        self, client: httpx.AsyncClient, alice: User, raw: bytes
    ) -> None:
        response = await client.post("/notes", content=raw, headers={**alice.headers, **JSON})
        body = assert_error(response, 400, "invalid_json")
        assert body["field"] is None

    @pytest.mark.parametrize(
        "content_type",
        ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
    )
    async def test_wrong_content_type_is_415(
        self, client: httpx.AsyncClient, alice: User, content_type: str
    ) -> None:
        response = await client.post(
            "/notes",
            content=b'{"title": "Typed"}',
            headers={**alice.headers, "Content-Type": content_type},
        )
        assert_error(response, 415, "unsupported_media_type")
        assert await list_ids(client, alice) == []

    async def test_body_without_content_type_is_415(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        response = await client.post(
            "/notes", content=b'{"title": "Untyped"}', headers=alice.headers
        )
        assert "content-type" not in response.request.headers
        assert_error(response, 415, "unsupported_media_type")
        assert await list_ids(client, alice) == []

    async def test_json_with_a_charset_parameter_is_accepted(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        response = await client.post(
            "/notes",
            content='{"title": "Čaj"}'.encode(),
            headers={**alice.headers, "Content-Type": "application/json; charset=utf-8"},
        )
        assert response.status_code == 201
        assert response.json()["title"] == "Čaj"
