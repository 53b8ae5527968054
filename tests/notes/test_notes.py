"""The notes API (API.md §3, with §1's conventions): what a client sees on every route."""

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from teamnotes.auth.tokens import AUDIENCE, ISSUER
from teamnotes.kit.ids import new_id
from tests.conftest import TEST_SECRET
from tests.factories import (
    User,
    access_token,
    make_note,
    make_user,
    open_account,
    token_user,
    without_request_id,
)

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
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
SORTS = ["updated_at", "-updated_at", "created_at", "-created_at", "title", "-title"]
JSON = {"Content-Type": "application/json"}

# Every route, with a body valid for it; "{id}" stands for a note's id.
ITEM_ROUTES = [
    ("GET", None),
    ("PUT", {"title": "Replaced", "content": "new"}),
    ("PATCH", {"title": "Patched"}),
    ("DELETE", None),
]
ALL_ROUTES = [
    ("GET", "/notes", None),
    ("POST", "/notes", {"title": "New"}),
    *[(method, "/notes/{id}", body) for method, body in ITEM_ROUTES],
]


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


@pytest.fixture
async def bob(app: FastAPI) -> User:
    return await token_user(app)


def missing_id() -> str:
    return str(new_id())


async def request(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    user: User | None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    all_headers = {**(user.headers if user else {}), **(headers or {})}
    if body is None:
        return await client.request(method, path, headers=all_headers)
    return await client.request(method, path, json=body, headers=all_headers)


async def get_note(client: httpx.AsyncClient, user: User, note_id: str) -> dict[str, Any]:
    response = await client.get(f"/notes/{note_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def list_ids(client: httpx.AsyncClient, user: User, **params: Any) -> list[str]:
    response = await client.get("/notes", params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return [note["id"] for note in response.json()["items"]]


def assert_error(response: httpx.Response, status: int, error_code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error_code"] == error_code
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def assert_validation_error(response: httpx.Response, field: str | None) -> dict[str, Any]:
    body = assert_error(response, 422, "validation_error")
    assert body["field"] == field
    assert field in [error["field"] for error in body["errors"]]
    return body


async def not_found_body(client: httpx.AsyncClient, user: User) -> dict[str, Any]:
    """The body of a 404 for an id that never existed, minus its request id."""
    response = await client.get(f"/notes/{missing_id()}", headers=user.headers)
    body = assert_error(response, 404, "not_found")
    assert body == {
        "detail": "Note not found",
        "error_code": "not_found",
        "field": None,
        "request_id": response.headers["X-Request-ID"],
    }
    return without_request_id(body)


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


class TestListNotes:
    async def test_a_new_user_has_no_notes(self, client: httpx.AsyncClient, alice: User) -> None:
        response = await client.get("/notes", headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}

    async def test_items_are_whole_notes(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice)
        response = await client.get("/notes", headers=alice.headers)
        assert response.json()["items"] == [note]

    async def test_total_counts_every_note_while_limit_caps_the_items(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        for number in range(5):
            await make_note(client, alice, title=f"n{number}")
        response = await client.get("/notes", params={"limit": 2}, headers=alice.headers)
        page = response.json()
        assert (len(page["items"]), page["total"], page["limit"], page["offset"]) == (2, 5, 2, 0)
        response = await client.get(
            "/notes", params={"limit": 2, "offset": 4}, headers=alice.headers
        )
        page = response.json()
        assert (len(page["items"]), page["total"], page["limit"], page["offset"]) == (1, 5, 2, 4)

    @pytest.mark.parametrize("offset", [3, 4, 1000])
    async def test_offset_at_or_past_the_end_is_empty_with_the_right_total(
        self, client: httpx.AsyncClient, alice: User, offset: int
    ) -> None:
        for number in range(3):
            await make_note(client, alice, title=f"n{number}")
        response = await client.get("/notes", params={"offset": offset}, headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == {"items": [], "total": 3, "limit": 20, "offset": offset}

    @pytest.mark.parametrize("limit", [1, 100])
    async def test_limit_bounds_are_accepted(
        self, client: httpx.AsyncClient, alice: User, limit: int
    ) -> None:
        response = await client.get("/notes", params={"limit": limit}, headers=alice.headers)
        assert response.status_code == 200
        assert response.json()["limit"] == limit

    @pytest.mark.parametrize("limit", ["0", "101", "x", "-1", "1.5", ""])
    async def test_bad_limit_is_422(
        self, client: httpx.AsyncClient, alice: User, limit: str
    ) -> None:
        response = await client.get("/notes", params={"limit": limit}, headers=alice.headers)
        assert_validation_error(response, "query.limit")

    @pytest.mark.parametrize("offset", ["-1", "x", "1e3"])
    async def test_bad_offset_is_422(
        self, client: httpx.AsyncClient, alice: User, offset: str
    ) -> None:
        response = await client.get("/notes", params={"offset": offset}, headers=alice.headers)
        assert_validation_error(response, "query.offset")

    @pytest.mark.parametrize("sort", ["-", "", "id", "--title", "TITLE", "title,-title", "+title"])
    async def test_unknown_sort_is_422(
        self, client: httpx.AsyncClient, alice: User, sort: str
    ) -> None:
        response = await client.get("/notes", params={"sort": sort}, headers=alice.headers)
        assert_validation_error(response, "query.sort")

    async def test_default_order_is_most_recently_updated_first(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        first = await make_note(client, alice, title="first")
        second = await make_note(client, alice, title="second")
        third = await make_note(client, alice, title="third")
        assert await list_ids(client, alice) == [third["id"], second["id"], first["id"]]
        await client.patch(f"/notes/{first['id']}", json={"content": "edit"}, headers=alice.headers)
        assert await list_ids(client, alice) == [first["id"], third["id"], second["id"]]

    async def test_every_sort_orders_by_its_column(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        # Created 1, 2, 3; titled b, c, a; 1 edited last: each sort gives its own order.
        one = (await make_note(client, alice, title="b"))["id"]
        two = (await make_note(client, alice, title="c"))["id"]
        three = (await make_note(client, alice, title="a"))["id"]
        await client.patch(f"/notes/{one}", json={"content": "edited"}, headers=alice.headers)
        expected = {
            "created_at": [one, two, three],
            "-created_at": [three, two, one],
            "updated_at": [two, three, one],
            "-updated_at": [one, three, two],
            "title": [three, one, two],
            "-title": [two, one, three],
        }
        for sort, ids in expected.items():
            assert await list_ids(client, alice, sort=sort) == ids, sort

    @pytest.mark.parametrize("descending", [False, True])
    async def test_ties_are_broken_by_id_in_the_same_direction(
        self, client: httpx.AsyncClient, alice: User, descending: bool
    ) -> None:
        alpha = (await make_note(client, alice, title="alpha"))["id"]
        same = [(await make_note(client, alice, title="same"))["id"] for _ in range(4)]
        zulu = (await make_note(client, alice, title="zulu"))["id"]
        expected = [alpha, *sorted(same), zulu]
        if descending:
            expected.reverse()
        sort = "-title" if descending else "title"
        assert await list_ids(client, alice, sort=sort) == expected

    @pytest.mark.parametrize("sort", SORTS)
    async def test_walking_the_pages_never_repeats_or_skips_a_note(
        self, client: httpx.AsyncClient, alice: User, sort: str
    ) -> None:
        for title in ["same", "same", "other", "same", "other", "last", "same"]:
            await make_note(client, alice, title=title)
        everything = await list_ids(client, alice, sort=sort, limit=100)
        walked: list[str] = []
        for offset in range(0, 8, 2):
            walked += await list_ids(client, alice, sort=sort, limit=2, offset=offset)
        assert len(everything) == 7
        assert walked == everything
        assert len(set(walked)) == 7


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


class TestDeleteNote:
    async def test_deletes_the_note(self, client: httpx.AsyncClient, alice: User) -> None:
        keep = await make_note(client, alice, title="keep")
        gone = await make_note(client, alice, title="gone")
        response = await client.delete(f"/notes/{gone['id']}", headers=alice.headers)
        assert response.status_code == 204
        assert response.content == b""
        assert await list_ids(client, alice) == [keep["id"]]
        again = await client.delete(f"/notes/{gone['id']}", headers=alice.headers)
        assert without_request_id(again.json()) == await not_found_body(client, alice)


WRITES = [
    ("PUT", {"title": "Lost update", "content": "lost"}),
    ("PATCH", {"content": "lost"}),
    ("DELETE", None),
]


class TestIfMatch:
    """A write with a stale If-Match is refused (412) and changes nothing."""

    @pytest.mark.parametrize(("method", "body"), WRITES)
    @pytest.mark.parametrize("header", ['"1"', '"3"', 'W/"2"', "2", '"two"'])
    async def test_stale_if_match_is_412_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        alice: User,
        method: str,
        body: dict[str, str] | None,
        header: str,
    ) -> None:
        note = await make_note(client, alice, title="v1")
        await client.patch(f"/notes/{note['id']}", json={"title": "v2"}, headers=alice.headers)
        current = await get_note(client, alice, note["id"])
        response = await request(
            client, method, f"/notes/{note['id']}", alice, body, {"If-Match": header}
        )
        body_ = assert_error(response, 412, "precondition_failed")
        assert body_["field"] is None
        assert await get_note(client, alice, note["id"]) == current

    @pytest.mark.parametrize(("method", "body"), WRITES)
    @pytest.mark.parametrize("header", ['"2"', "*"])
    async def test_current_if_match_applies_the_write(
        self,
        client: httpx.AsyncClient,
        alice: User,
        method: str,
        body: dict[str, str] | None,
        header: str,
    ) -> None:
        note = await make_note(client, alice, title="v1")
        await client.patch(f"/notes/{note['id']}", json={"title": "v2"}, headers=alice.headers)
        response = await request(
            client, method, f"/notes/{note['id']}", alice, body, {"If-Match": header}
        )
        if method == "DELETE":
            assert response.status_code == 204
            assert await list_ids(client, alice) == []
        else:
            assert response.status_code == 200
            assert response.json()["version"] == 3
            assert response.headers["ETag"] == '"3"'

    async def test_if_match_on_a_missing_note_is_404(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        response = await client.patch(
            f"/notes/{missing_id()}",
            json={"title": "x"},
            headers={**alice.headers, "If-Match": '"1"'},
        )
        assert_error(response, 404, "not_found")


def malformed(note_id: str) -> list[str]:
    """Spellings that are not the canonical form of `note_id`, or not ids at all."""
    hex32 = note_id.replace("-", "")
    return [
        "nope",
        "1234",
        "0",
        "x" * 36,
        "0000000g-0000-7000-8000-000000000000",
        note_id.upper(),
        hex32,
        f"{{{note_id}}}",
        f"urn:{hex32}",
        f"-{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}{hex32[16:20]}-{hex32[20:]}",
        f"{note_id}0",
        note_id[:-1],
        "%00",
        "n" * 1000,
    ]


class TestMalformedIds:
    @pytest.mark.parametrize(("method", "body"), ITEM_ROUTES)
    async def test_malformed_id_is_404_like_a_missing_one(
        self,
        client: httpx.AsyncClient,
        alice: User,
        method: str,
        body: dict[str, str] | None,
    ) -> None:
        note = await make_note(client, alice)
        expected = await not_found_body(client, alice)
        for spelling in malformed(note["id"]):
            response = await request(client, method, f"/notes/{spelling}", alice, body)
            assert response.status_code == 404, (spelling, response.text)
            assert without_request_id(response.json()) == expected, spelling
        # No spelling reached the note.
        assert await get_note(client, alice, note["id"]) == note


class TestOtherUsersNotes:
    """Another user's note answers exactly like one that does not exist."""

    @pytest.mark.parametrize(("method", "body"), ITEM_ROUTES)
    @pytest.mark.parametrize("if_match", [None, '"1"', '"9"'])
    async def test_other_users_note_is_404_and_untouched(
        self,
        client: httpx.AsyncClient,
        alice: User,
        bob: User,
        method: str,
        body: dict[str, str] | None,
        if_match: str | None,
    ) -> None:
        note = await make_note(client, alice)
        headers = {"If-Match": if_match} if if_match else {}
        response = await request(client, method, f"/notes/{note['id']}", bob, body, headers)
        assert response.status_code == 404
        assert without_request_id(response.json()) == await not_found_body(client, bob)
        assert await get_note(client, alice, note["id"]) == note

    async def test_other_users_note_ignores_if_none_match(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        note = await make_note(client, alice)
        response = await client.get(
            f"/notes/{note['id']}", headers={**bob.headers, "If-None-Match": '"1"'}
        )
        assert response.status_code == 404

    async def test_list_shows_only_own_notes(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        mine = await make_note(client, alice, title="mine")
        for title in ["theirs", "theirs too"]:
            await make_note(client, bob, title=title)
        for sort in SORTS:
            response = await client.get("/notes", params={"sort": sort}, headers=alice.headers)
            assert response.json()["items"] == [mine]
            assert response.json()["total"] == 1
        past_the_end = await client.get("/notes", params={"offset": 5}, headers=alice.headers)
        assert past_the_end.json()["total"] == 1

    async def test_create_belongs_to_the_caller(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        note = await make_note(client, bob)
        assert await list_ids(client, alice) == []
        assert await list_ids(client, bob) == [note["id"]]


def signed(
    secret: str = TEST_SECRET, *, drop: str | None = None, algorithm: str = "HS256", **claims: Any
) -> str:
    now = datetime.now(UTC)
    payload = {
        "sub": str(new_id()),
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "jti": "a-token-id",
        **claims,
    }
    if drop:
        del payload[drop]
    return jwt.encode(payload, secret, algorithm=algorithm)


def unsigned() -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(datetime.now(UTC).timestamp())
    claims = {"sub": "x", "iat": now, "exp": now + 300, "iss": ISSUER, "aud": AUDIENCE, "jti": "j"}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class TestAuthentication:
    @pytest.mark.parametrize(("method", "path", "body"), ALL_ROUTES)
    @pytest.mark.parametrize("authorization", [None, "Basic dXNlcjpwYXNz", "Bearer", "Token abc"])
    async def test_no_bearer_token_is_401_not_authenticated(
        self,
        client: httpx.AsyncClient,
        method: str,
        path: str,
        body: dict[str, str] | None,
        authorization: str | None,
    ) -> None:
        headers = {"Authorization": authorization} if authorization else {}
        response = await request(client, method, path.format(id=missing_id()), None, body, headers)
        body_ = assert_error(response, 401, "not_authenticated")
        assert body_["field"] is None
        assert response.headers["WWW-Authenticate"] == "Bearer"

    @pytest.mark.parametrize(("method", "path", "body"), ALL_ROUTES)
    async def test_garbage_token_is_401_invalid_token(
        self, client: httpx.AsyncClient, method: str, path: str, body: dict[str, str] | None
    ) -> None:
        headers = {"Authorization": "Bearer not.a.jwt"}
        response = await request(client, method, path.format(id=missing_id()), None, body, headers)
        assert_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_a_well_formed_token_is_accepted(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        # The control for the refusals below: only the one defect differs.
        user_id = str(new_id())
        await open_account(app, user_id)
        token = signed(sub=user_id)
        response = await client.get("/notes", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "token",
        [
            pytest.param(signed("another secret that is long enough, really"), id="wrong-secret"),
            pytest.param(signed(aud="someone-else"), id="wrong-audience"),
            pytest.param(signed(iss="someone-else"), id="wrong-issuer"),
            pytest.param(signed(drop="exp"), id="no-exp"),
            pytest.param(signed(drop="jti"), id="no-jti"),
            pytest.param(signed(drop="sub"), id="no-sub"),
            pytest.param(signed(drop="aud"), id="no-aud"),
            pytest.param(signed(sub=""), id="empty-sub"),
            pytest.param(signed(sub="s" * 256), id="sub-too-long"),
            pytest.param(unsigned(), id="alg-none"),
            pytest.param(signed(algorithm="HS384"), id="alg-hs384"),
            pytest.param("a.b.c", id="garbage"),
        ],
    )
    async def test_bad_token_is_401_invalid_token(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        response = await client.get("/notes", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_expired_token_is_401_invalid_token(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        token = access_token(app, str(new_id()), expires_in=-60)
        response = await client.get("/notes", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_a_token_expired_within_the_leeway_still_works(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user_id = str(new_id())
        await open_account(app, user_id)
        token = access_token(app, user_id, expires_in=-10)
        response = await client.get("/notes", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200


class TestCacheControl:
    @pytest.mark.parametrize(("method", "path", "body"), ALL_ROUTES)
    async def test_authenticated_responses_are_no_store(
        self,
        client: httpx.AsyncClient,
        alice: User,
        method: str,
        path: str,
        body: dict[str, str] | None,
    ) -> None:
        note = await make_note(client, alice)
        response = await request(client, method, path.format(id=note["id"]), alice, body)
        assert response.status_code < 300
        assert response.headers["Cache-Control"] == "no-store"

    async def test_errors_and_not_modified_are_no_store(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        responses = [
            await client.get(f"/notes/{missing_id()}", headers=alice.headers),
            await client.get(
                f"/notes/{note['id']}", headers={**alice.headers, "If-None-Match": '"1"'}
            ),
            await client.get("/notes"),
        ]
        assert [response.status_code for response in responses] == [404, 304, 401]
        for response in responses:
            assert response.headers["Cache-Control"] == "no-store"
