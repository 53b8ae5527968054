"""The outer layers: request ids, the body-size limit, crash rendering, access log;
and HEAD answered as GET."""

import logging
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teamnotes.kit import metrics
from teamnotes.kit.errors import PayloadTooLarge, error_response
from teamnotes.kit.metrics import IN_FLIGHT

access_log = logging.getLogger("teamnotes.access")
error_log = logging.getLogger("teamnotes.errors")

_SANE_REQUEST_ID = re.compile(rb"[\x21-\x7e]{1,128}")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class _BodyTooLarge(StarletteHTTPException):
    """Raised by receive() at the first byte over the limit.

    An HTTPException, so FastAPI's body parsing lets it through to the handler that
    renders it; if nothing inside renders it, this middleware does, rather than a 500.
    """

    def __init__(self) -> None:
        super().__init__(PayloadTooLarge.status_code, PayloadTooLarge.detail)


def _request_id(scope: Scope) -> str:
    sent = _header(scope, b"x-request-id")
    if sent is not None and _SANE_REQUEST_ID.fullmatch(sent):
        return sent.decode("ascii")
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Gives every response its request id and `no-store`, and every request a log line.

    It sits outside everything else so that errors raised anywhere, even a crash,
    still leave with the contract's body, the request id, and one access-log line.
    Request bodies are limited to `max_body_bytes`, except on the paths that
    `body_limits` gives a limit of their own (the first pattern that matches).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        metrics: bool,
        body_limits: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_limits = tuple(body_limits)
        self.metrics = metrics

    def _body_limit(self, scope: Scope) -> int:
        path: str = scope["path"]
        for pattern, limit in self.body_limits:
            if pattern.fullmatch(path):
                return limit
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                headers.setdefault("Cache-Control", "no-store")
            await send(message)

        if self.metrics:
            IN_FLIGHT.inc()
        try:
            limit = self._body_limit(scope)
            declared = _header(scope, b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                await self._reject(scope, send_with_headers, PayloadTooLarge())
                return
            await self.app(scope, self._limited(receive, limit), send_with_headers)
        except _BodyTooLarge:
            if not response_started:
                await self._reject(scope, send_with_headers, PayloadTooLarge())
        except Exception:
            error_log.exception("unhandled error", extra={"request_id": request_id})
            if not response_started:
                await error_response(scope, 500, "internal_error", "Internal server error")(
                    scope, receive, send_with_headers
                )
        finally:
            self._finish(scope, status, started)

    @staticmethod
    async def _reject(scope: Scope, send: Send, error: PayloadTooLarge) -> None:
        response = error_response(scope, error.status_code, error.error_code, error.detail)
        # The body is not read: close the connection rather than leave it unread on it.
        response.headers["Connection"] = "close"
        await response(scope, _no_body, send)

    @staticmethod
    def _limited(receive: Receive, limit: int) -> Receive:
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Chunked bodies carry no length: stop at the first byte too many.
                    raise _BodyTooLarge()
            return message

        return receive_within_limit

    def _finish(self, scope: Scope, status: int, started: float) -> None:
        seconds = time.perf_counter() - started
        route: str | None = getattr(scope.get("route"), "path", None)
        if self.metrics:
            IN_FLIGHT.dec()
            metrics.record(scope["method"], route, status, seconds)
        state = scope["state"]
        access_log.info(
            "request",
            extra={
                "request_id": state["request_id"],
                "method": scope["method"],
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "user_id": state.get("user_id"),
            },
        )


class HeadAsGet:
    """Answers HEAD wherever GET is answered, as that GET would, without its body
    (RFC 9110 §9.3.2): the same status and headers, Content-Length and ETag included.

    FastAPI's routes answer only the methods they name. Running HEAD as GET here,
    rather than naming HEAD on every route, covers routes added later and keeps HEAD
    out of the OpenAPI document; where GET is not allowed either, HEAD gets its 405.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        as_get = {**scope, "method": "GET"}
        body_sent = False

        async def send_without_body(message: Message) -> None:
            nonlocal body_sent
            if message["type"] == "http.response.body":
                if body_sent:
                    return
                body_sent = True
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        try:
            await self.app(as_get, receive, send_without_body)
        finally:
            # What routing found (the route, for the access log and metrics) belongs
            # to the request; its method stays HEAD.
            scope.update((key, value) for key, value in as_get.items() if key != "method")


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
