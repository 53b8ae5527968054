"""Notes: the rules of API.md §3, every statement through the workspace gate."""

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import Database, utcnow
from teamnotes.kit.errors import NotFound
from teamnotes.kit.pagination import PageParams
from teamnotes.kit.search import indexed, search_for
from teamnotes.notes import revisions
from teamnotes.notes.models import Note, PublicLink
from teamnotes.notes.schemas import NoteCreate, NoteRead, NoteReplace, NoteSort, NoteUpdate
from teamnotes.webhooks import outbox
from teamnotes.workspaces import moves, trashed
from teamnotes.workspaces.gate import Access
from teamnotes.workspaces.items import WorkspaceItems
from teamnotes.workspaces.listing import Pages


class NoteNotFound(NotFound):
    detail = "Note not found"


notes = WorkspaceItems(
    Note, NoteRead, NoteNotFound, kind="note", recorders=[revisions.record, outbox.record]
)
note_pages = Pages(notes)


def _indexed(changes: Mapping[str, Any]) -> dict[str, str]:
    return indexed(changes, title="title", body="content")


async def list_notes(
    database: Database,
    session: AsyncSession,
    *,
    access: Access,
    page: PageParams,
    sort: NoteSort | None,
    query: str | None,
) -> dict[str, Any]:
    """A page of the workspace's notes: matching `query` when given, in the requested
    order (by default the most recently updated first, or the best matches first): its
    JSON."""
    search = search_for(notes.table, database.dialect, query)
    if sort is None and search is None:
        sort = "-updated_at"
    return await note_pages.page_json(
        database, session, access=access, page=page, sort=sort, search=search
    )


async def get_note(session: AsyncSession, *, access: Access, note_id: str) -> NoteRead:
    """One of the workspace's notes; NoteNotFound for any other id."""
    return await notes.get(session, access=access, item_id=note_id)


async def create_note(session: AsyncSession, *, access: Access, data: NoteCreate) -> NoteRead:
    """A new note, at version 1."""
    fields = data.model_dump()
    return await notes.insert(session, access=access, values=fields | _indexed(fields))


async def update_note(
    session: AsyncSession,
    *,
    access: Access,
    note_id: str,
    data: NoteReplace | NoteUpdate,
    expected_version: int | None,
) -> NoteRead:
    """Change the fields sent (all of them for a replace); a no-op changes nothing."""
    changes = data.model_dump(exclude_unset=True)
    return await notes.update(
        session,
        access=access,
        item_id=note_id,
        changes=changes,
        derived=_indexed(changes),
        expected_version=expected_version,
        now=utcnow(),
    )


async def delete_note(
    session: AsyncSession, *, access: Access, note_id: str, expected_version: int | None
) -> None:
    """Move one of the workspace's notes to its trash."""
    await trashed.trash(
        notes,
        session,
        access=access,
        item_id=note_id,
        expected_version=expected_version,
        now=utcnow(),
    )


async def move_note(
    session: AsyncSession,
    *,
    access: Access,
    note_id: str,
    target: uuid.UUID,
    expected_version: int | None,
) -> NoteRead:
    """Move a note to another workspace; its public links end (API.md §7)."""
    note = await moves.move(
        notes,
        session,
        access=access,
        item_id=note_id,
        target=target,
        expected_version=expected_version,
        now=utcnow(),
    )
    await session.execute(delete(PublicLink).where(PublicLink.note_id == note.id))
    return note
