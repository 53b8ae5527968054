"""The trash of a workspace's items (API.md §9): in, back out, and gone for good.

A trashed item keeps its row, its version and its place; `deleted_at` takes it out
of every read but the trash's. Restoring is a change (version + 1, a new feed
position). Purging deletes the row and leaves a tombstone at the position of the
trashing, which the feed already reported as a delete: nothing changes for a reader
who saw it, and one who did not still learns of it.
"""

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import delete, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.changes.tombstones import ChangeTombstone
from teamnotes.kit.errors import NotFound, PreconditionFailed
from teamnotes.workspaces import gate
from teamnotes.workspaces.gate import Access
from teamnotes.workspaces.items import WorkspaceItems

ReadT = TypeVar("ReadT", bound=BaseModel)


class NotInTrash(NotFound):
    detail = "Not found in the trash"


async def trash(
    items: WorkspaceItems[ReadT],
    session: AsyncSession,
    *,
    access: Access,
    item_id: str,
    expected_version: int | None,
    now: datetime,
) -> None:
    """Move an item to the trash: out of every read, its version kept."""
    key = items.key(item_id)
    position = await gate.begin_write(session, access)
    conditions = [items.id == key, items.c.workspace_id == access.workspace_id, items.live]
    if expected_version is not None:
        conditions.append(items.version == expected_version)
    statement = (
        update(items.table)
        .where(*conditions)
        .values(deleted_at=now, deleted_by=access.user_id, change_seq=position)
        .returning(items.id)
    )
    if (await session.execute(statement)).one_or_none() is None:
        await items.get(session, access=access, item_id=item_id)  # 404 when gone
        raise PreconditionFailed()
    await items.record(session, "deleted", access, key, None, position)


async def restore(
    items: WorkspaceItems[ReadT],
    session: AsyncSession,
    *,
    access: Access,
    item_id: str,
    now: datetime,
) -> ReadT | None:
    """Bring a trashed item back where it was, as a new version; None if not trashed."""
    key = items.key(item_id)
    position = await gate.begin_write(session, access)
    statement = (
        update(items.table)
        .where(
            items.id == key,
            items.c.workspace_id == access.workspace_id,
            items.c.deleted_at.is_not(None),
        )
        .values(
            deleted_at=None,
            deleted_by=None,
            updated_at=now,
            version=items.version + 1,
            **items.authorship(access, position),
        )
        .returning(*items.columns)
    )
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        return None
    restored = items.as_read(row)
    await items.record(session, "created", access, key, restored, position)
    return restored


def _trashed(items: WorkspaceItems[Any], access: Access) -> list[Any]:
    return [
        items.c.workspace_id == access.workspace_id,
        items.c.deleted_at.is_not(None),
        *gate.admits(access),
    ]


async def purge(
    items: WorkspaceItems[ReadT], session: AsyncSession, *, access: Access, item_id: str | None
) -> int:
    """Delete trashed items for good (one, or all with `item_id` None): how many."""
    conditions = _trashed(items, access)
    if item_id is not None:
        conditions.append(items.id == items.key(item_id))
    return await _purge_where(items, session, conditions)


async def purge_older(
    items: WorkspaceItems[Any], session: AsyncSession, *, before: datetime
) -> int:
    """Every workspace's items trashed before `before` (the retention's purge)."""
    return await _purge_where(items, session, [items.c.deleted_at < before])


async def _purge_where(
    items: WorkspaceItems[Any], session: AsyncSession, conditions: list[Any]
) -> int:
    c = items.c
    departed = select(
        c.workspace_id, c.id, literal(items.kind), c.change_seq, c.version, c.deleted_at
    ).where(*conditions)
    await session.execute(
        insert(ChangeTombstone).from_select(
            ["workspace_id", "item_id", "kind", "seq", "version", "at"], departed
        )
    )
    removed = await session.execute(delete(items.table).where(*conditions))
    return int(removed.rowcount)  # type: ignore[attr-defined]
