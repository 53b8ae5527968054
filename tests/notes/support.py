"""What the notes tests share: routes, requests and the body of a 404 (API.md §1, §3)."""

import re
from typing import Any

import httpx

from teamnotes.kit.ids import new_id
from tests.errors import assert_error
from tests.factories import User, without_request_id

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
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
