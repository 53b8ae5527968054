"""The route class every API router uses: request bodies must be declared as JSON."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from teamnotes.kit.errors import UnsupportedMediaType

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def is_json(media: str) -> bool:
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def is_form(media: str) -> bool:
    return media in _FORM_TYPES


def has_body(request: Request) -> bool:
    headers = request.headers
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


class JSONRoute(APIRoute):
    """Refuses a body sent as anything but JSON (415) before FastAPI guesses at it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def json_only(request: Request) -> Response:
            if has_body(request) and not is_json(media_type(request)):
                raise UnsupportedMediaType()
            return await handler(request)

        return json_only
