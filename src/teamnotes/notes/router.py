"""The notes routes, built once per path style from one set of handlers.

`/notes…` acts in the caller's personal workspace, `/workspaces/{workspace_id}/notes…`
in the path's (API.md §7); the handlers are the same.
"""

from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from teamnotes.kit.conditional import (
    ETAG_HEADER,
    IfMatch,
    created_headers,
    etag,
    expected_version,
    item_response,
    read_parameters,
)
from teamnotes.kit.db import SessionDep
from teamnotes.kit.errors import error_responses
from teamnotes.kit.idempotency import IdempotencyKeyHeader, create_once
from teamnotes.kit.pagination import Page, PageDep, page_response
from teamnotes.kit.routing import JSONRoute, StyleRoutes
from teamnotes.kit.search import SearchQuery
from teamnotes.notes import service
from teamnotes.notes.links_router import LINK_ROUTES
from teamnotes.notes.rendering import render_html
from teamnotes.notes.revisions_router import REVISION_ROUTES
from teamnotes.notes.schemas import NoteCreate, NoteRead, NoteReplace, NoteSort, NoteUpdate
from teamnotes.workspaces import gate
from teamnotes.workspaces.dependencies import PersonalAccess, WorkspaceAccess
from teamnotes.workspaces.schemas import ItemMove

NoteId = Annotated[str, Path(description="The note's id (a UUID); any other text is 404.")]
_ITEM_ERRORS = error_responses(404)
_WRITE_ERRORS = error_responses(400, 403, 404, 412, 413, 415)
_ONE_NOTE: dict[int | str, dict[str, Any]] = {200: {"headers": ETAG_HEADER}}


async def list_notes(
    request: Request,
    session: SessionDep,
    access: PersonalAccess,
    page: PageDep,
    q: SearchQuery = None,
    sort: Annotated[
        NoteSort | None,
        Query(
            description="`-` first for descending. Default: `-updated_at`, or relevance with `q`."
        ),
    ] = None,
) -> Response:
    """List the workspace's notes, or search them with `q`."""
    found = await service.list_notes(
        request.app.state.database, session, access=access, page=page, sort=sort, query=q
    )
    return page_response(found)


async def create_note(
    session: SessionDep,
    access: PersonalAccess,
    data: NoteCreate,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Create a note (retry-safe with `Idempotency-Key`)."""
    collection = quote(request.url.path)
    return await create_once(
        session,
        owner_id=access.user_id,
        workspace_id=access.workspace_id,
        key=idempotency_key,
        operation="create_note",
        request=data,
        create=lambda: service.create_note(session, access=access, data=data),
        location=lambda note: f"{collection}/{note.id}",
        authorize=partial(gate.explain, session, access),
    )


async def read_note(request: Request, access: PersonalAccess) -> Response:
    """Read one note."""
    # The hottest route: its id and If-None-Match are read here, not declared as
    # parameters (see read_parameters).
    note = await service.notes.fetch_json(
        request.app.state.database, access=access, item_id=request.path_params["note_id"]
    )
    return item_response(note, request.headers.get("if-none-match"))


async def render_note(session: SessionDep, access: PersonalAccess, note_id: NoteId) -> HTMLResponse:
    """The note's content rendered from Markdown to a sanitised HTML fragment."""
    note = await service.get_note(session, access=access, note_id=note_id)
    return HTMLResponse(
        await render_html(note.content),
        headers={
            "ETag": etag(note.version),
            # Opened on its own, the fragment may load images and nothing else.
            "Content-Security-Policy": "default-src 'none'; img-src http: https:",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def _update(
    session: SessionDep,
    access: PersonalAccess,
    note_id: str,
    data: NoteReplace | NoteUpdate,
    if_match: str | None,
    response: Response,
) -> NoteRead:
    note = await service.update_note(
        session,
        access=access,
        note_id=note_id,
        data=data,
        expected_version=expected_version(if_match),
    )
    response.headers["ETag"] = etag(note.version)
    return note


async def replace_note(
    session: SessionDep,
    access: PersonalAccess,
    note_id: NoteId,
    data: NoteReplace,
    response: Response,
    if_match: IfMatch = None,
) -> NoteRead:
    """Replace a note's title and content."""
    return await _update(session, access, note_id, data, if_match, response)


async def update_note(
    session: SessionDep,
    access: PersonalAccess,
    note_id: NoteId,
    data: NoteUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> NoteRead:
    """Change some of a note's fields."""
    return await _update(session, access, note_id, data, if_match, response)


async def delete_note(
    session: SessionDep, access: PersonalAccess, note_id: NoteId, if_match: IfMatch = None
) -> None:
    """Move a note to the trash."""
    await service.delete_note(
        session, access=access, note_id=note_id, expected_version=expected_version(if_match)
    )


async def move_note(
    session: SessionDep,
    access: PersonalAccess,
    note_id: NoteId,
    data: ItemMove,
    response: Response,
    if_match: IfMatch = None,
) -> NoteRead:
    """Move a note to another workspace where you are an editor."""
    note = await service.move_note(
        session,
        access=access,
        note_id=note_id,
        target=data.workspace_id,
        expected_version=expected_version(if_match),
    )
    response.headers["ETag"] = etag(note.version)
    return note


def build_router(prefix: str, *, access: Any, suffix: str = "") -> APIRouter:
    """The notes operations under `prefix`, acting where the `access` dependency says;
    `suffix` keeps route names (operation ids) unique."""
    router = APIRouter(
        prefix=prefix,
        tags=["notes"],
        route_class=JSONRoute,
        responses=error_responses(401, 404, 422) if suffix else error_responses(401, 422),
    )

    add = StyleRoutes(router, access=access, suffix=suffix).add

    one_note = {**_ONE_NOTE, **_WRITE_ERRORS}
    add("GET", "", list_notes, response_model=Page[NoteRead])
    add(
        "POST",
        "",
        create_note,
        status_code=status.HTTP_201_CREATED,
        response_model=NoteRead,
        responses={
            201: {"headers": created_headers("note")},
            **error_responses(400, 403, 409, 413, 415),
        },
    )
    add(
        "GET",
        "/{note_id}",
        read_note,
        response_model=NoteRead,
        openapi_extra=read_parameters("note_id", "note"),
        responses={
            **_ONE_NOTE,
            304: {"description": "Not modified", "headers": ETAG_HEADER},
            **_ITEM_ERRORS,
        },
    )
    add(
        "GET",
        "/{note_id}/html",
        render_note,
        # Not HTMLResponse: FastAPI would document the error bodies as text/html too.
        response_class=Response,
        responses={
            **_ITEM_ERRORS,
            200: {
                "description": "A sanitised HTML fragment",
                "content": {"text/html": {"schema": {"type": "string"}}},
                "headers": ETAG_HEADER,
            },
        },
    )
    add("PUT", "/{note_id}", replace_note, responses=one_note)
    add("PATCH", "/{note_id}", update_note, responses=one_note)
    add(
        "DELETE",
        "/{note_id}",
        delete_note,
        status_code=status.HTTP_204_NO_CONTENT,
        responses=error_responses(403, 404, 412),
    )
    add("POST", "/{note_id}/move", move_note, responses=one_note)
    for method, path, endpoint, options in (*LINK_ROUTES, *REVISION_ROUTES):
        add(method, path, endpoint, **options)
    return router


routers = (
    build_router("/notes", access=PersonalAccess),
    build_router(
        "/workspaces/{workspace_id}/notes", access=WorkspaceAccess, suffix="_in_workspace"
    ),
)
