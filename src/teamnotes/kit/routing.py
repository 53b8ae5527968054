"""The route class every API router uses: request bodies must be declared as JSON."""

import functools
import inspect
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.routing import APIRoute
from fastapi.utils import create_model_field

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


def rebound(endpoint: Callable[..., Any], **parameters: Any) -> Callable[..., Any]:
    """The same endpoint, with some parameters annotated anew (another dependency).

    One set of handlers serves several path styles: `/notes` acts in the caller's
    personal workspace, `/workspaces/{id}/notes` in the path's. FastAPI reads a
    handler's dependencies from its signature, so each style gets the handler under
    a signature of its own; the call itself goes straight through.
    """
    signature = inspect.signature(endpoint)
    replaced = [
        parameter.replace(annotation=parameters[name]) if name in parameters else parameter
        for name, parameter in signature.parameters.items()
    ]
    unknown = set(parameters) - set(signature.parameters)
    if unknown:
        raise TypeError(f"{endpoint.__name__} has no parameter {', '.join(sorted(unknown))}")

    @functools.wraps(endpoint)
    async def call(*args: Any, **kwargs: Any) -> Any:
        return await endpoint(*args, **kwargs)

    call.__signature__ = signature.replace(parameters=replaced)  # type: ignore[attr-defined]
    return call


class StyleRoutes:
    """Adds one set of handlers to a router under one path style: each handler's
    `access` parameter takes the style's dependency, and its route name (the OpenAPI
    operation id) the style's suffix."""

    def __init__(self, router: APIRouter, *, access: Any, suffix: str = "") -> None:
        self.router = router
        self.access = access
        self.suffix = suffix

    def add(self, method: str, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        self.router.add_api_route(
            path,
            rebound(endpoint, access=self.access),
            methods=[method],
            name=f"{endpoint.__name__}{self.suffix}",
            **options,
        )


def add_routes(
    app: FastAPI,
    routers: Sequence[APIRouter],
    responses: dict[int | str, dict[str, Any]] | None = None,
) -> None:
    """Put the routers' routes on the app's own router, in order, with `responses` as
    their default documented answers.

    Not `include_router`: FastAPI (from 0.136) keeps included routers as a tree and
    walks it for every request, with bookkeeping at each node that cost more than
    the rest of a read. One flat list, the hottest routes first, is matched quickly.
    """
    for router in routers:
        for route in router.routes:
            if responses and isinstance(route, APIRoute):
                add_default_responses(route, responses)
            app.router.routes.append(route)


def add_default_responses(route: APIRoute, responses: dict[int | str, dict[str, Any]]) -> None:
    """Document `responses` on a route made without them, bodies included: FastAPI
    derives a response's schema field when the route is built, so a model added later
    needs its field made here as `include_router(responses=)` would have."""
    for status, response in responses.items():
        if status in route.responses:
            continue
        route.responses = {**route.responses, status: response}
        if model := response.get("model"):
            route.response_fields[status] = create_model_field(
                name=f"Response_{status}_{route.unique_id}", type_=model, mode="serialization"
            )
