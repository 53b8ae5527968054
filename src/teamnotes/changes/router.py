"""The change feed and live events, under each path style (API.md §8)."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from teamnotes.changes import feed
from teamnotes.changes.events import EventHub
from teamnotes.changes.schemas import ChangePage
from teamnotes.kit.db import SessionDep
from teamnotes.kit.errors import error_responses
from teamnotes.kit.routing import JSONRoute, rebound
from teamnotes.workspaces.dependencies import PersonalAccess, WorkspaceAccess

CursorQuery = Annotated[
    str | None,
    Query(max_length=100, description="From an earlier answer; absent: from the beginning."),
]


async def list_changes(
    session: SessionDep,
    access: PersonalAccess,
    cursor: CursorQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Changes per answer.")] = 100,
) -> ChangePage:
    """The workspace's changes after `cursor`, oldest first (without one: every item)."""
    return await feed.read_changes(session, access=access, cursor=cursor, limit=limit)


async def stream_events(
    request: Request,
    access: PersonalAccess,
    cursor: CursorQuery = None,
    last_event_id: Annotated[
        str | None,
        Header(alias="Last-Event-ID", max_length=100, description="Resume after this event."),
    ] = None,
) -> StreamingResponse:
    """The workspace's changes, live, as Server-Sent Events (`text/event-stream`)."""
    hub: EventHub = request.app.state.events
    if last_event_id is not None:
        return await hub.open(access, last_event_id, field="header.Last-Event-ID")
    return await hub.open(access, cursor, field="query.cursor")


_EVENTS = {
    200: {
        "description": "An open stream: `id: <cursor>`, `event: change`, `data: <change>`, "
        "and `: keepalive` comments.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
    **error_responses(429),
}


def build_router(prefix: str, *, access: Any, suffix: str = "") -> APIRouter:
    router = APIRouter(
        prefix=prefix,
        tags=["changes"],
        route_class=JSONRoute,
        responses=error_responses(401, 404, 410, 422),
    )
    router.add_api_route(
        "/changes",
        rebound(list_changes, access=access),
        methods=["GET"],
        name=f"list_changes{suffix}",
    )
    router.add_api_route(
        "/events",
        rebound(stream_events, access=access),
        methods=["GET"],
        name=f"stream_events{suffix}",
        response_class=StreamingResponse,
        responses=_EVENTS,
    )
    return router


routers = (
    build_router("", access=PersonalAccess),
    build_router("/workspaces/{workspace_id}", access=WorkspaceAccess, suffix="_in_workspace"),
)
