"""A workspace's trash (API.md §9): its notes and tasks, listed, restored, purged."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import utcnow
from teamnotes.kit.ids import parse_id
from teamnotes.kit.pagination import Page, PageParams
from teamnotes.notes.service import notes
from teamnotes.tasks.service import tasks
from teamnotes.trash.schemas import TrashEntry
from teamnotes.workspaces import gate, trashed
from teamnotes.workspaces.gate import Access
from teamnotes.workspaces.items import WorkspaceItems
from teamnotes.workspaces.trashed import NotInTrash

_KINDS: tuple[WorkspaceItems[Any], ...] = (notes, tasks)


async def list_trash(
    session: AsyncSession, *, access: Access, page: PageParams, retention: timedelta
) -> Page[TrashEntry]:
    """What is in the trash, the latest deletion first."""
    entries = union_all(
        *(
            select(
                literal(items.kind).label("kind"),
                items.id.label("id"),
                items.c.title.label("title"),
                items.c.deleted_at.label("deleted_at"),
                items.c.deleted_by.label("deleted_by"),
            ).where(
                items.c.workspace_id == access.workspace_id,
                items.c.deleted_at.is_not(None),
                *gate.admits(access),
            )
            for items in _KINDS
        )
    ).subquery()
    rows = (
        await session.execute(
            select(entries, func.count().over().label("_total"))
            .order_by(entries.c.deleted_at.desc(), entries.c.id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
    ).all()
    if not rows:
        await gate.explain(session, access)
    total = rows[0]._total if rows else 0
    if not rows and page.offset:
        total = (await session.execute(select(func.count()).select_from(entries))).scalar_one()
    items = [TrashEntry(**row._mapping, purge_at=row.deleted_at + retention) for row in rows]
    return Page(items=items, total=total, **page.model_dump())


async def restore(session: AsyncSession, *, access: Access, item_id: str) -> BaseModel:
    """Bring an item back from the trash (editors)."""
    if parse_id(item_id) is None:
        raise NotInTrash()
    now = utcnow()
    for items in _KINDS:
        restored: BaseModel | None = await trashed.restore(
            items, session, access=access, item_id=item_id, now=now
        )
        if restored is not None:
            return restored
    raise NotInTrash()


async def purge(session: AsyncSession, *, access: Access, item_id: str | None) -> None:
    """Delete for good one item of the trash, or all of it (`item_id` None; admins)."""
    if item_id is not None and parse_id(item_id) is None:
        raise NotInTrash()
    removed = 0
    for items in _KINDS:
        removed += await trashed.purge(items, session, access=access, item_id=item_id)
    if removed == 0:
        await gate.explain(session, access)
        if item_id is not None:
            raise NotInTrash()


def purging(retention: timedelta) -> Callable[[AsyncSession, datetime], Awaitable[int]]:
    """The housekeeping purge of what has been in the trash longer than `retention`."""

    async def purge_expired(session: AsyncSession, now: datetime) -> int:
        removed = 0
        for items in _KINDS:
            removed += await trashed.purge_older(items, session, before=now - retention)
        return removed

    return purge_expired
