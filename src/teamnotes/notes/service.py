"""Notes: the rules of API.md §3, every statement scoped to its owner."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import utcnow
from teamnotes.kit.errors import NotFound
from teamnotes.kit.ids import new_id
from teamnotes.kit.owned import OwnedRows
from teamnotes.kit.pagination import Page, PageParams
from teamnotes.kit.search import indexed, search_for
from teamnotes.notes.models import Note
from teamnotes.notes.schemas import NoteCreate, NoteRead, NoteReplace, NoteSort, NoteUpdate


class NoteNotFound(NotFound):
    detail = "Note not found"


_notes = OwnedRows(Note, NoteRead, NoteNotFound)


def _indexed(changes: Mapping[str, Any]) -> dict[str, str]:
    return indexed(changes, title="title", body="content")


async def list_notes(
    session: AsyncSession,
    *,
    owner_id: str,
    page: PageParams,
    sort: NoteSort | None,
    query: str | None,
) -> Page[NoteRead]:
    """A page of the owner's notes: matching `query` when given, in the requested order
    (by default the most recently updated first, or the best matches first)."""
    search = search_for(_notes.table, session.get_bind().dialect.name, query)
    if sort is None and search is None:
        sort = "-updated_at"
    return await _notes.page(session, owner_id=owner_id, page=page, sort=sort, search=search)


async def get_note(session: AsyncSession, *, owner_id: str, note_id: str) -> NoteRead:
    """One of the owner's notes; NoteNotFound for any other id."""
    return await _notes.get(session, owner_id=owner_id, item_id=note_id)


async def create_note(session: AsyncSession, *, owner_id: str, data: NoteCreate) -> NoteRead:
    """A new note, at version 1."""
    now = utcnow()
    fields = data.model_dump()
    values = {"id": new_id(), "owner_id": owner_id, "created_at": now, "updated_at": now}
    values |= fields | _indexed(fields) | {"version": 1}
    return await _notes.insert(session, values=values)


async def update_note(
    session: AsyncSession,
    *,
    owner_id: str,
    note_id: str,
    data: NoteReplace | NoteUpdate,
    expected_version: int | None,
) -> NoteRead:
    """Change the fields sent (all of them for a replace); a no-op changes nothing."""
    changes = data.model_dump(exclude_unset=True)
    return await _notes.update(
        session,
        owner_id=owner_id,
        item_id=note_id,
        changes=changes,
        derived=_indexed(changes),
        expected_version=expected_version,
        now=utcnow(),
    )


async def delete_note(
    session: AsyncSession, *, owner_id: str, note_id: str, expected_version: int | None
) -> None:
    """Delete one of the owner's notes."""
    await _notes.delete(
        session, owner_id=owner_id, item_id=note_id, expected_version=expected_version
    )
