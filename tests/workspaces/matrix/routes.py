"""The routes under `/workspaces/{workspace_id}`, read from the app's route table, and
what the OpenAPI document declares each of them answers."""

import secrets
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute

from teamnotes.app import create_app
from teamnotes.config import Settings

PREFIX = "/workspaces/{workspace_id}"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    endpoint: str  # the handler's name: REQUIRED_ROLE's key
    success: int

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def workspace_routes(routes: Sequence[BaseRoute]) -> list[Route]:
    """Every operation of the route table under `/workspaces/{workspace_id}`."""
    found = []
    for route in iter_route_contexts(routes):
        path = route.path or ""
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            continue
        assert route.endpoint is not None
        for method in sorted(route.methods or ()):
            success = getattr(route, "status_code", None) or 200
            found.append(Route(method, path, route.endpoint.__name__, success))
    return found


def collected_routes() -> list[Route]:
    """The route table of an app made only to be read, at collection time."""
    settings = Settings.model_validate(
        {
            "database_url": "sqlite:///:memory:",
            "jwt_secret": secrets.token_urlsafe(48),
            "data_dir": tempfile.gettempdir(),
            "housekeeping_interval": 0,
        }
    )
    return workspace_routes(create_app(settings).routes)


def declared_statuses(document: dict[str, Any], route: Route) -> set[int]:
    operation = document["paths"][route.path][route.method.lower()]
    return {int(status) for status in operation["responses"]}


def missing_roles(routes: Iterable[Route], required: dict[str, Any]) -> list[str]:
    return [f"{route} ({route.endpoint})" for route in routes if route.endpoint not in required]
