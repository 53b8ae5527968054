"""A note's revisions (API.md §9), added under each path style of the notes routes."""

from typing import Annotated, Any

from fastapi import Path, Response

from teamnotes.kit.conditional import ETAG_HEADER, IfMatch, etag, expected_version
from teamnotes.kit.db import SessionDep
from teamnotes.kit.errors import error_responses
from teamnotes.kit.pagination import Page, PageDep
from teamnotes.notes import revisions_history
from teamnotes.notes.schemas import NoteRead, RevisionRead, RevisionSummary
from teamnotes.workspaces.dependencies import PersonalAccess

NoteId = Annotated[str, Path(description="The note's id (a UUID); any other text is 404.")]
Version = Annotated[
    str, Path(description="A version of the note; one that is not kept, or not a number, is 404.")
]


async def list_revisions(
    session: SessionDep, access: PersonalAccess, note_id: NoteId, page: PageDep
) -> Page[RevisionSummary]:
    """The note's kept revisions, newest first."""
    return await revisions_history.list_revisions(
        session, access=access, note_id=note_id, page=page
    )


async def read_revision(
    session: SessionDep, access: PersonalAccess, note_id: NoteId, version: Version
) -> RevisionRead:
    """One revision of the note: its title and content at that version."""
    return await revisions_history.get_revision(
        session, access=access, note_id=note_id, version=version
    )


async def restore_revision(
    session: SessionDep,
    access: PersonalAccess,
    note_id: NoteId,
    version: Version,
    response: Response,
    if_match: IfMatch = None,
) -> NoteRead:
    """Give the note a revision's title and content again, as a new version (editors)."""
    note = await revisions_history.restore_revision(
        session,
        access=access,
        note_id=note_id,
        version=version,
        expected_version=expected_version(if_match),
    )
    response.headers["ETag"] = etag(note.version)
    return note


REVISION_ROUTES: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("GET", "/{note_id}/revisions", list_revisions, {"responses": error_responses(404)}),
    (
        "GET",
        "/{note_id}/revisions/{version}",
        read_revision,
        {"responses": error_responses(404)},
    ),
    (
        "POST",
        "/{note_id}/revisions/{version}/restore",
        restore_revision,
        {"responses": {200: {"headers": ETAG_HEADER}, **error_responses(403, 404, 412)}},
    ),
]
"""The revision operations, added under each path style of the notes routes."""
