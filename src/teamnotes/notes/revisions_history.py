"""A note's history (API.md §9): its revisions listed, read, and restored.

Every read joins the revisions to their note under the workspace gate, so they are
there exactly as long as the note is for the caller: a note in the trash, moved
away or in a workspace the caller does not belong to has none to show (404).
"""

from typing import Any, cast

from sqlalchemy import Select, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.errors import NotFound
from teamnotes.kit.pagination import Page, PageParams
from teamnotes.notes import revisions, service
from teamnotes.notes.models import Note, NoteRevision
from teamnotes.notes.schemas import NoteRead, NoteReplace, RevisionRead, RevisionSummary
from teamnotes.notes.service import notes
from teamnotes.workspaces import gate
from teamnotes.workspaces.gate import Access

_r = cast(Table, NoteRevision.__table__).c
_n = cast(Table, Note.__table__).c
_LARGEST_VERSION = 2**31 - 1


class RevisionNotFound(NotFound):
    detail = "Revision not found"


def _of_note(access: Access, note_id: str, *columns: Any) -> Select[Any]:
    """`columns` of the revisions of a live note the caller may act on."""
    return (
        select(*columns)
        .join_from(NoteRevision, Note, _n.id == _r.note_id)
        .where(
            _n.id == notes.key(note_id),
            _n.workspace_id == access.workspace_id,
            _n.deleted_at.is_(None),
            *gate.admits(access),
        )
    )


async def _explain(session: AsyncSession, access: Access, note_id: str) -> None:
    """Raise why a revision read found nothing: the caller (401, 404, 403), then the
    note (404); return when only the revisions were missing."""
    await gate.explain(session, access)
    await notes.get(session, access=access, item_id=note_id)


def _version(version: str) -> int:
    """A version number from the path; anything else cannot be a kept version."""
    if not (version.isascii() and version.isdecimal()) or not 0 < int(version) <= _LARGEST_VERSION:
        raise RevisionNotFound()
    return int(version)


async def list_revisions(
    session: AsyncSession, *, access: Access, note_id: str, page: PageParams
) -> Page[RevisionSummary]:
    """The note's revisions, newest first."""
    statement = _of_note(
        access,
        note_id,
        _r.version,
        _r.title,
        _r.updated_at,
        _r.updated_by,
        func.length(_r.content).label("content_length"),
    )
    rows = (
        await session.execute(
            statement.add_columns(func.count().over().label("_total"))
            .order_by(_r.version.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
    ).all()
    if rows:
        total = rows[0]._total
    else:
        await _explain(session, access, note_id)
        counted = statement.with_only_columns(func.count())
        total = (await session.execute(counted)).scalar_one() if page.offset else 0
    return Page(
        items=[RevisionSummary.model_validate(row._mapping) for row in rows],
        total=total,
        **page.model_dump(),
    )


async def get_revision(
    session: AsyncSession, *, access: Access, note_id: str, version: str
) -> RevisionRead:
    """One kept revision of the note; RevisionNotFound for a version not kept."""
    number = _version(version)
    statement = _of_note(
        access, note_id, _r.version, _r.title, _r.content, _r.updated_at, _r.updated_by
    ).where(_r.version == number)
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        await _explain(session, access, note_id)
        raise RevisionNotFound()
    return RevisionRead.model_validate(row._mapping)


async def restore_revision(
    session: AsyncSession,
    *,
    access: Access,
    note_id: str,
    version: str,
    expected_version: int | None,
) -> NoteRead:
    """The note with the revision's title and content, as a new version (editors);
    nothing changes when they are the current ones."""
    revision = await get_revision(session, access=access, note_id=note_id, version=version)
    data = NoteReplace(title=revision.title, content=revision.content)
    with revisions.unmerged(session, notes.key(note_id)):
        return await service.update_note(
            session,
            access=access,
            note_id=note_id,
            data=data,
            expected_version=expected_version,
        )
