from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import HTMLResponse

from teamnotes.auth.dependencies import CurrentUserId
from teamnotes.kit.conditional import (
    ETAG_HEADER,
    IfMatch,
    IfNoneMatch,
    etag,
    expected_version,
    not_modified,
)
from teamnotes.kit.db import SessionDep
from teamnotes.kit.errors import error_responses
from teamnotes.kit.idempotency import IdempotencyKeyHeader, create_once
from teamnotes.kit.pagination import Page, PageDep
from teamnotes.kit.routing import JSONRoute
from teamnotes.kit.search import SearchQuery
from teamnotes.notes import service
from teamnotes.notes.rendering import render_html
from teamnotes.notes.schemas import NoteCreate, NoteRead, NoteReplace, NoteSort, NoteUpdate

router = APIRouter(
    prefix="/notes",
    tags=["notes"],
    route_class=JSONRoute,
    responses=error_responses(401, 422),
)

NoteId = Annotated[str, Path(description="The note's id (a UUID); any other text is 404.")]
_ITEM_ERRORS = error_responses(404)
_WRITE_ERRORS = error_responses(400, 404, 412, 413, 415)
_ONE_NOTE: dict[int | str, dict[str, Any]] = {200: {"headers": ETAG_HEADER}}


@router.get("")
async def list_notes(
    session: SessionDep,
    user_id: CurrentUserId,
    page: PageDep,
    q: SearchQuery = None,
    sort: Annotated[
        NoteSort | None,
        Query(
            description="`-` first for descending. Default: `-updated_at`, or relevance with `q`."
        ),
    ] = None,
) -> Page[NoteRead]:
    """List the caller's notes, or search them with `q`."""
    return await service.list_notes(session, owner_id=user_id, page=page, sort=sort, query=q)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=NoteRead,
    responses={
        201: {
            "headers": {
                **ETAG_HEADER,
                "Location": {
                    "description": "The new note's URL.",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^/notes/[0-9a-f-]{36}$"},
                },
            }
        },
        **error_responses(400, 409, 413, 415),
    },
)
async def create_note(
    session: SessionDep,
    user_id: CurrentUserId,
    data: NoteCreate,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Create a note (retry-safe with `Idempotency-Key`)."""
    return await create_once(
        session,
        owner_id=user_id,
        key=idempotency_key,
        operation="create_note",
        request=data,
        create=lambda: service.create_note(session, owner_id=user_id, data=data),
        location=lambda note: f"/notes/{note.id}",
    )


@router.get(
    "/{note_id}",
    responses={
        **_ONE_NOTE,
        304: {"description": "Not modified", "headers": ETAG_HEADER},
        **_ITEM_ERRORS,
    },
)
async def read_note(
    session: SessionDep,
    user_id: CurrentUserId,
    note_id: NoteId,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> NoteRead:
    """Read one note."""
    note = await service.get_note(session, owner_id=user_id, note_id=note_id)
    if cached := not_modified(if_none_match, note.version):
        return cached  # type: ignore[return-value]
    response.headers["ETag"] = etag(note.version)
    return note


@router.get(
    "/{note_id}/html",
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
async def render_note(session: SessionDep, user_id: CurrentUserId, note_id: NoteId) -> HTMLResponse:
    """The note's content rendered from Markdown to a sanitised HTML fragment."""
    note = await service.get_note(session, owner_id=user_id, note_id=note_id)
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
    user_id: str,
    note_id: str,
    data: NoteReplace | NoteUpdate,
    if_match: str | None,
    response: Response,
) -> NoteRead:
    note = await service.update_note(
        session,
        owner_id=user_id,
        note_id=note_id,
        data=data,
        expected_version=expected_version(if_match),
    )
    response.headers["ETag"] = etag(note.version)
    return note


@router.put("/{note_id}", responses={**_ONE_NOTE, **_WRITE_ERRORS})
async def replace_note(
    session: SessionDep,
    user_id: CurrentUserId,
    note_id: NoteId,
    data: NoteReplace,
    response: Response,
    if_match: IfMatch = None,
) -> NoteRead:
    """Replace a note's title and content."""
    return await _update(session, user_id, note_id, data, if_match, response)


@router.patch("/{note_id}", responses={**_ONE_NOTE, **_WRITE_ERRORS})
async def update_note(
    session: SessionDep,
    user_id: CurrentUserId,
    note_id: NoteId,
    data: NoteUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> NoteRead:
    """Change some of a note's fields."""
    return await _update(session, user_id, note_id, data, if_match, response)


@router.delete(
    "/{note_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 412),
)
async def delete_note(
    session: SessionDep, user_id: CurrentUserId, note_id: NoteId, if_match: IfMatch = None
) -> None:
    """Delete a note."""
    await service.delete_note(
        session, owner_id=user_id, note_id=note_id, expected_version=expected_version(if_match)
    )
