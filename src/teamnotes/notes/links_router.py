"""Public links of a note: managed by the workspace's members, read by anyone."""

import html
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Request, Response, status
from fastapi.responses import HTMLResponse

from teamnotes.kit.db import SessionDep
from teamnotes.kit.errors import error_responses
from teamnotes.kit.pagination import Page, PageDep
from teamnotes.kit.routing import JSONRoute
from teamnotes.notes import links
from teamnotes.notes.rendering import render_html
from teamnotes.notes.schemas import LinkCreate, LinkRead, PublicNote
from teamnotes.workspaces.dependencies import PersonalAccess

NoteId = Annotated[str, Path(description="The note's id (a UUID); any other text is 404.")]
LinkId = Annotated[str, Path(description="The link's id.")]

# A public page is content from strangers' point of view: it may show images and its
# own styles, and nothing else runs or loads.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src http: https:; style-src 'unsafe-inline'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_STYLE = (
    "body{max-width:46rem;margin:2rem auto;padding:0 1rem;font:16px/1.6 system-ui,sans-serif}"
    "pre{overflow:auto}img{max-width:100%}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.2rem .5rem}"
)


# The body is optional, as its one field is: no body makes a link that never expires.
# Typed without `| None`, so that the document does not offer `null` (see complete_task).
_OPTIONAL_BODY = Body(None)


async def create_link(
    session: SessionDep, access: PersonalAccess, note_id: NoteId, data: LinkCreate = _OPTIONAL_BODY
) -> LinkRead:
    """Publish the note through a new read-only link (editors); no body: it never expires."""
    return await links.create_link(
        session, access=access, note_id=note_id, data=data or LinkCreate()
    )


async def list_links(
    session: SessionDep, access: PersonalAccess, note_id: NoteId, page: PageDep
) -> Page[LinkRead]:
    """The note's public links, newest first."""
    return await links.list_links(session, access=access, note_id=note_id, page=page)


async def revoke_link(
    session: SessionDep, access: PersonalAccess, note_id: NoteId, link_id: LinkId
) -> None:
    """Revoke a public link: it stops working at once (editors)."""
    await links.revoke_link(session, access=access, note_id=note_id, link_id=link_id)


LINK_ROUTES: list[tuple[str, str, Any, dict[str, Any]]] = [
    (
        "POST",
        "/{note_id}/links",
        create_link,
        {
            "status_code": status.HTTP_201_CREATED,
            "responses": error_responses(400, 403, 404, 413, 415),
        },
    ),
    ("GET", "/{note_id}/links", list_links, {"responses": error_responses(404)}),
    (
        "DELETE",
        "/{note_id}/links/{link_id}",
        revoke_link,
        {"status_code": status.HTTP_204_NO_CONTENT, "responses": error_responses(403, 404)},
    ),
]
"""The link operations, added under each path style of the notes routes."""

public_router = APIRouter(
    tags=["public links"], route_class=JSONRoute, responses=error_responses(422)
)


@public_router.get(
    "/p/{token}",
    response_class=Response,
    responses={
        200: {
            "description": "The note as a web page, or as JSON with `Accept: application/json`",
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/json": {"schema": PublicNote.model_json_schema()},
            },
        },
        **error_responses(404, 422),
    },
)
async def read_public_note(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Path(description="The link's token.")],
) -> Response:
    """A published note, for anyone with the link (no authentication)."""
    note = await links.published(session, token=token)
    if _wants_json(request.headers.get("accept", "")):
        return Response(
            note.model_dump_json(), media_type="application/json", headers=_PAGE_HEADERS
        )
    body = await render_html(note.content)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(note.title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )
    return HTMLResponse(page, headers=_PAGE_HEADERS)


def _wants_json(accept: str) -> bool:
    """JSON when the client asks for it and does not also ask for HTML."""
    types = {part.split(";", 1)[0].strip().lower() for part in accept.split(",")}
    return "application/json" in types and "text/html" not in types
