"""The trash routes (API.md §9), under each path style."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status

from teamnotes.kit.db import SessionDep
from teamnotes.kit.errors import error_responses
from teamnotes.kit.pagination import Page, PageDep
from teamnotes.kit.routing import JSONRoute, StyleRoutes
from teamnotes.notes.schemas import NoteRead
from teamnotes.tasks.schemas import TaskRead
from teamnotes.trash import service
from teamnotes.trash.schemas import TrashEntry
from teamnotes.workspaces.dependencies import PersonalAccess, WorkspaceAccess

ItemId = Annotated[str, Path(description="The id of a note or task in the trash.")]


async def list_trash(
    request: Request, session: SessionDep, access: PersonalAccess, page: PageDep
) -> Page[TrashEntry]:
    """What is in the trash, the latest deletion first."""
    retention = request.app.state.trash_retention
    return await service.list_trash(session, access=access, page=page, retention=retention)


async def restore_item(
    session: SessionDep, access: PersonalAccess, item_id: ItemId, response: Response
) -> NoteRead | TaskRead:
    """Bring a note or task back from the trash, as a new version (editors)."""
    item = await service.restore(session, access=access, item_id=item_id)
    response.headers["ETag"] = f'"{item.version}"'  # type: ignore[attr-defined]
    return item  # type: ignore[return-value]


async def purge_item(session: SessionDep, access: PersonalAccess, item_id: ItemId) -> None:
    """Delete one item of the trash for good (admins; the owner of a personal workspace)."""
    await service.purge(session, access=access, item_id=item_id)


async def empty_trash(session: SessionDep, access: PersonalAccess) -> None:
    """Delete everything in the trash for good (admins; the owner of a personal workspace)."""
    await service.purge(session, access=access, item_id=None)


def build_router(prefix: str, *, access: Any, suffix: str = "") -> APIRouter:
    router = APIRouter(
        prefix=f"{prefix}/trash",
        tags=["trash"],
        route_class=JSONRoute,
        responses=error_responses(401, 403, 404, 422),
    )

    add = StyleRoutes(router, access=access, suffix=suffix).add

    gone = {"status_code": status.HTTP_204_NO_CONTENT}
    add("GET", "", list_trash)
    add("POST", "/{item_id}/restore", restore_item)
    add("DELETE", "/{item_id}", purge_item, **gone)
    add("DELETE", "", empty_trash, **gone)
    return router


routers = (
    build_router("", access=PersonalAccess),
    build_router("/workspaces/{workspace_id}", access=WorkspaceAccess, suffix="_in_workspace"),
)
