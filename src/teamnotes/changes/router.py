"""The change feed and live events, under each path style (API.md §8)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from teamnotes.changes import feed
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
    return router


routers = (
    build_router("", access=PersonalAccess),
    build_router("/workspaces/{workspace_id}", access=WorkspaceAccess, suffix="_in_workspace"),
)
