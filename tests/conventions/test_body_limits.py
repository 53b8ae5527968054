"""The body-size limit (API.md §1, TEAMNOTES_MAX_BODY_BYTES): 413 before the body is read."""

import json
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from teamnotes.kit.middleware import RequestContextMiddleware
from tests.conventions.support import assert_error_body, client_of
from tests.factories import token_user


class TestPayloadTooLarge:
    LIMIT = 1000

    @pytest.fixture
    async def small(
        self, make_app: Callable[..., FastAPI], database_url: str
    ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        # The shared database and secret: tokens and users of the main app work here.
        application = make_app(database_url, max_body_bytes=self.LIMIT)
        async with client_of(application) as http:
            yield application, http

    @staticmethod
    def note_body(size: int) -> bytes:
        empty = json.dumps({"title": "t", "content": ""}).encode()
        body = json.dumps({"title": "t", "content": "x" * (size - len(empty))}).encode()
        assert len(body) == size
        return body

    async def test_a_body_at_the_limit_is_accepted(
        self, small: tuple[FastAPI, httpx.AsyncClient]
    ) -> None:
        application, http = small
        user = await token_user(application)
        response = await http.post(
            "/notes",
            content=self.note_body(self.LIMIT),
            headers={**user.headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 201

    @pytest.mark.parametrize("authenticated", [True, False])
    async def test_a_declared_length_over_the_limit_is_413(
        self, small: tuple[FastAPI, httpx.AsyncClient], authenticated: bool
    ) -> None:
        application, http = small
        headers = (await token_user(application)).headers if authenticated else {}
        response = await http.post(
            "/notes",
            content=self.note_body(self.LIMIT + 1),
            headers={**headers, "Content-Type": "application/json"},
        )
        assert response.request.headers["Content-Length"] == str(self.LIMIT + 1)
        body = assert_error_body(response, 413, "payload_too_large")
        assert body["field"] is None
        assert response.headers["Cache-Control"] == "no-store"
        if authenticated:
            assert (await http.get("/notes", headers=headers)).json()["total"] == 0

    async def test_on_the_login_form_too(self, small: tuple[FastAPI, httpx.AsyncClient]) -> None:
        _, http = small
        response = await http.post("/auth/token", data={"username": "u", "password": "p" * 2000})
        assert_error_body(response, 413, "payload_too_large")

    async def test_a_chunked_body_is_cut_off_at_the_limit(
        self, small: tuple[FastAPI, httpx.AsyncClient]
    ) -> None:
        application, http = small
        user = await token_user(application)
        pulled = 0

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal pulled
            for _ in range(10):
                pulled += 1
                yield b" " * 400

        response = await http.post(
            "/notes", content=chunks(), headers={**user.headers, "Content-Type": "application/json"}
        )
        assert "content-length" not in response.request.headers
        assert_error_body(response, 413, "payload_too_large")
        assert pulled == 3  # 1200 bytes: the first chunk over the limit is the last read
        assert (await http.get("/notes", headers=user.headers)).json()["total"] == 0

    async def test_a_chunked_body_within_the_limit_is_accepted(
        self, small: tuple[FastAPI, httpx.AsyncClient]
    ) -> None:
        application, http = small
        user = await token_user(application)
        body = self.note_body(self.LIMIT)

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 300):
                yield body[start : start + 300]

        response = await http.post(
            "/notes", content=chunks(), headers={**user.headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 201


class ASGICall:
    """Drives an ASGI app by hand: a body in chunks, the messages it sends recorded."""

    def __init__(self, chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> None:
        self.chunks = chunks
        self.reads = 0
        self.sent: list[Message] = []
        self.scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/upload",
            "raw_path": b"/upload",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"testserver"), *headers],
            "client": ("127.0.0.1", 1234),
            "server": ("testserver", 80),
        }

    async def receive(self) -> Message:
        if self.reads == len(self.chunks):
            return {"type": "http.disconnect"}
        self.reads += 1
        more = self.reads < len(self.chunks)
        return {"type": "http.request", "body": self.chunks[self.reads - 1], "more_body": more}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    async def run(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        await app(self.scope, self.receive, self.send)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def headers(self) -> dict[str, str]:
        return {key.decode(): value.decode() for key, value in self.sent[0]["headers"]}

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")


async def read_everything(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that reads the whole body, then answers 200 with its length."""
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


class TestBodyLimitMiddleware:
    """The limit holds on its own, whatever app it wraps."""

    def middleware(self) -> RequestContextMiddleware:
        return RequestContextMiddleware(read_everything, max_body_bytes=1000, metrics=False)

    async def test_stops_reading_a_chunked_body_at_the_first_chunk_over_the_limit(self) -> None:
        call = ASGICall([b"x" * 400] * 10, [(b"transfer-encoding", b"chunked")])
        await call.run(self.middleware())
        assert call.reads == 3
        assert call.status == 413
        assert call.headers["x-request-id"]
        body = json.loads(call.body)
        assert body == {
            "detail": body["detail"],
            "error_code": "payload_too_large",
            "field": None,
            "request_id": call.headers["x-request-id"],
        }

    async def test_refuses_a_declared_length_without_reading(self) -> None:
        call = ASGICall([b"x" * 400] * 5, [(b"content-length", b"2000")])
        await call.run(self.middleware())
        assert call.reads == 0
        assert call.status == 413
        assert json.loads(call.body)["error_code"] == "payload_too_large"
        assert call.headers["connection"] == "close"

    async def test_passes_a_body_within_the_limit(self) -> None:
        call = ASGICall([b"x" * 250] * 4, [(b"transfer-encoding", b"chunked")])
        await call.run(self.middleware())
        assert call.reads == 4
        assert call.status == 200
        assert call.body == b"1000"

    async def test_a_lying_content_length_does_not_get_past_the_limit(self) -> None:
        call = ASGICall([b"x" * 400] * 10, [(b"content-length", b"10")])
        await call.run(self.middleware())
        assert call.reads == 3
        assert call.status == 413
