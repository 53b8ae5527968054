"""HEAD answers like GET without the body (RFC 9110 §9.3.2), on every GET route."""

import re

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from teamnotes.kit.ids import new_id
from tests.factories import User, access_token, make_note, token_user
from tests.outages import captured_log

# Headers that describe the representation, and so must be the GET's.
SAME_HEADERS = ("content-type", "etag", "cache-control", "allow", "www-authenticate")


def assert_like_get(head: httpx.Response, get: httpx.Response) -> None:
    assert head.status_code == get.status_code, (head.request.url, get.text)
    assert head.content == b""
    for name in SAME_HEADERS:
        assert head.headers.get(name) == get.headers.get(name), (head.request.url, name)
    assert head.headers["content-length"] == get.headers["content-length"]


@pytest.fixture
async def user(app: FastAPI) -> User:
    return await token_user(app)


class TestHead:
    async def test_healthz(self, client: httpx.AsyncClient) -> None:
        head = await client.head("/healthz")
        assert head.status_code == 200
        assert head.headers["Content-Length"] == str(len(b'{"status":"ok"}'))
        assert_like_get(head, await client.get("/healthz"))

    async def test_a_list(self, client: httpx.AsyncClient, user: User) -> None:
        await make_note(client, user)
        head = await client.head("/notes", headers=user.headers)
        assert head.status_code == 200
        assert_like_get(head, await client.get("/notes", headers=user.headers))

    async def test_an_item_has_its_etag(self, client: httpx.AsyncClient, user: User) -> None:
        note = await make_note(client, user)
        head = await client.head(f"/notes/{note['id']}", headers=user.headers)
        assert head.status_code == 200
        assert head.headers["ETag"] == '"1"'
        assert_like_get(head, await client.get(f"/notes/{note['id']}", headers=user.headers))

    async def test_not_found(self, client: httpx.AsyncClient, user: User) -> None:
        path = f"/notes/{new_id()}"
        head = await client.head(path, headers=user.headers)
        assert head.status_code == 404
        assert_like_get(head, await client.get(path, headers=user.headers))

    async def test_unauthenticated(self, client: httpx.AsyncClient) -> None:
        head = await client.head("/notes")
        assert head.status_code == 401
        assert head.headers["WWW-Authenticate"] == "Bearer"
        assert_like_get(head, await client.get("/notes"))

    async def test_if_none_match_is_304(self, client: httpx.AsyncClient, user: User) -> None:
        note = await make_note(client, user)
        headers = {**user.headers, "If-None-Match": '"1"'}
        head = await client.head(f"/notes/{note['id']}", headers=headers)
        assert head.status_code == 304
        assert head.headers["ETag"] == '"1"'
        assert head.content == b""

    async def test_where_get_is_not_allowed_either_is_405(self, client: httpx.AsyncClient) -> None:
        head = await client.head("/auth/token")
        assert head.status_code == 405
        assert head.headers["Allow"] == "POST"
        assert head.content == b""

    @pytest.mark.parametrize(
        ("method", "path", "allowed"),
        [
            ("DELETE", "/notes", "GET, HEAD, POST"),
            ("POST", "/healthz", "GET, HEAD"),
            (
                "POST",
                "/notes/0190a6a0-0000-7000-8000-000000000000",
                "GET, HEAD, PUT, PATCH, DELETE",
            ),
        ],
    )
    async def test_allow_names_it_beside_get(
        self, client: httpx.AsyncClient, method: str, path: str, allowed: str
    ) -> None:
        response = await client.request(method, path)
        assert response.status_code == 405
        assert response.headers["Allow"] == allowed

    def test_is_no_operation_of_its_own_in_the_openapi_document(self, app: FastAPI) -> None:
        for path, item in app.openapi()["paths"].items():
            assert "head" not in item, path


async def test_the_access_log_says_head_and_names_the_route(
    client: httpx.AsyncClient, user: User
) -> None:
    note = await make_note(client, user)
    with captured_log("teamnotes.access") as records:
        await client.head(f"/notes/{note['id']}", headers=user.headers)
    [record] = records
    assert record.method == "HEAD"  # type: ignore[attr-defined]
    assert record.route == "/notes/{note_id}"  # type: ignore[attr-defined]


def concrete(path: str, user: User) -> str:
    """A path of the route with its parameters filled in: the caller's id for
    `user_id`, ids of nothing for the rest."""
    return re.sub(
        r"\{(\w+)(:\w+)?\}",
        lambda match: user.id if match[1] == "user_id" else str(new_id()),
        path,
    )


def _headers(app: FastAPI, user: User, *, stream: bool) -> dict[str, str]:
    """The user's headers; for an event stream, a token of its own that expires soon:
    in-process, a GET of an event stream ends only when its token does. (One token for
    both requests expired between them once, on a loaded machine.)"""
    if not stream:
        return user.headers
    return {"Authorization": f"Bearer {access_token(app, user.id, expires_in=2)}"}


async def test_every_get_route_answers_head(
    app: FastAPI, client: httpx.AsyncClient, user: User
) -> None:
    # Included routers nest in FastAPI's table: this walks into them.
    routes = [route for route in iter_route_contexts(app.routes) if "GET" in (route.methods or ())]
    assert len(routes) > 10  # the app's, not an empty table
    for route in routes:
        assert route.path is not None
        path = concrete(route.path, user)
        stream = path.endswith("/events")
        head = await client.head(path, headers=_headers(app, user, stream=stream))
        assert head.status_code != 405, path
        # Some bodies differ from one request to the next (/health's latency).
        get = await client.get(path, headers=_headers(app, user, stream=stream))
        assert head.status_code == get.status_code, path
        for name in SAME_HEADERS:
            assert head.headers.get(name) == get.headers.get(name), (path, name)
