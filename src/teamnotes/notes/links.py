"""Public links (API.md §7): read-only pages of a note for anyone holding the link.

The token is the capability: 192 random bits, shown to the workspace's members as
long as the link lives (they may copy it again), so it is stored as it is. A link
answers only while it is unexpired and its note is live in the workspace it was
made in; moving a note away ends its links.
"""

import secrets
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import utcnow
from teamnotes.kit.errors import NotFound
from teamnotes.kit.ids import new_id, parse_id
from teamnotes.kit.pagination import Page, PageParams
from teamnotes.notes.models import Note, PublicLink
from teamnotes.notes.schemas import LinkCreate, LinkRead, PublicNote
from teamnotes.notes.service import notes
from teamnotes.workspaces import gate
from teamnotes.workspaces.gate import Access


class LinkNotFound(NotFound):
    detail = "Link not found"


_l = cast(Table, PublicLink.__table__).c
_n = cast(Table, Note.__table__).c
_COLUMNS = [_l.id, _l.token, _l.created_by, _l.created_at, _l.expires_at]


def _read(row: Any) -> LinkRead:
    return LinkRead(**row._mapping, path=f"/p/{row.token}")


async def create_link(
    session: AsyncSession, *, access: Access, note_id: str, data: LinkCreate
) -> LinkRead:
    """A new link to a live note of the workspace (editors)."""
    await gate.explain(session, access)
    note = await notes.get(session, access=access, item_id=note_id)
    row = (
        await session.execute(
            insert(PublicLink)
            .values(
                id=new_id(),
                workspace_id=access.workspace_id,
                note_id=note.id,
                token=secrets.token_urlsafe(24),
                created_by=access.user_id,
                created_at=utcnow(),
                expires_at=data.expires_at,
            )
            .returning(*_COLUMNS)
        )
    ).one()
    return _read(row)


async def list_links(
    session: AsyncSession, *, access: Access, note_id: str, page: PageParams
) -> Page[LinkRead]:
    """The note's links, newest first."""
    note = await notes.get(session, access=access, item_id=note_id)
    rows = (
        await session.execute(
            select(*_COLUMNS, func.count().over().label("_total"))
            .where(_l.note_id == note.id)
            .order_by(_l.created_at.desc(), _l.id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
    ).all()
    total = rows[0]._total if rows else 0
    if not rows and page.offset:
        counted = select(func.count()).where(_l.note_id == note.id)
        total = (await session.execute(counted)).scalar_one()
    return Page(items=[_read(row) for row in rows], total=total, **page.model_dump())


async def revoke_link(session: AsyncSession, *, access: Access, note_id: str, link_id: str) -> None:
    """The link stops working at once (editors)."""
    await gate.explain(session, access)
    note = await notes.get(session, access=access, item_id=note_id)
    revoked = await session.execute(
        delete(PublicLink).where(_l.id == parse_id(link_id), _l.note_id == note.id).returning(_l.id)
    )
    if revoked.one_or_none() is None:
        raise LinkNotFound()


async def published(session: AsyncSession, *, token: str) -> PublicNote:
    """The note a live link shows; NotFound for anything else."""
    statement = (
        select(_n.title, _n.content, _n.updated_at)
        .join_from(PublicLink, Note, _n.id == _l.note_id)
        .where(
            _l.token == token,
            or_(_l.expires_at.is_(None), _l.expires_at > utcnow()),
            _n.workspace_id == _l.workspace_id,
            _n.deleted_at.is_(None),
        )
    )
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        raise LinkNotFound()
    return PublicNote.model_validate(row._mapping)
