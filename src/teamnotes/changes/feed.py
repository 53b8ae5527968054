"""The change feed of a workspace (API.md §8): nothing skipped, each item once.

Every live or trashed item carries the feed position of its latest change, and
every item that left the workspace a tombstone at the position of its departure.
Positions are handed out under the workspace's writer lock (`gate.begin_write`), so
they are committed in order: once the workspace's counter reads H, every change at
or below H is committed, and a read bounded by H misses none of them, whatever
commits meanwhile. An item changed again since appears at its newer position, in a
later answer, with its latest state.
"""

import uuid
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.changes import cursor as cursors
from teamnotes.changes.schemas import Change, ChangePage
from teamnotes.changes.tombstones import ChangeTombstone
from teamnotes.kit.errors import AppError
from teamnotes.notes.service import notes
from teamnotes.tasks.service import tasks
from teamnotes.workspaces import gate
from teamnotes.workspaces.gate import Access, WorkspaceNotFound
from teamnotes.workspaces.items import WorkspaceItems
from teamnotes.workspaces.models import Workspace

_SOURCES: tuple[WorkspaceItems[Any], ...] = (notes, tasks)
_w = cast(Table, Workspace.__table__).c
_t = cast(Table, ChangeTombstone.__table__).c


class ResyncRequired(AppError):
    status_code = 410
    error_code = "resync_required"
    detail = "This cursor is older than the feed keeps: start again without one"


async def feed_state(session: AsyncSession, access: Access) -> tuple[int, int]:
    """The workspace's latest position and its horizon, for a caller who may read."""
    statement = select(_w.change_seq, _w.feed_horizon).where(
        _w.id == access.workspace_id, *gate.admits(access)
    )
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        await gate.explain(session, access)
        raise WorkspaceNotFound()
    return int(row.change_seq), int(row.feed_horizon)


async def read_changes(
    session: AsyncSession, *, access: Access, cursor: str | None, limit: int
) -> ChangePage:
    """Changes after `cursor` (every live item, without one), oldest first."""
    after = None if cursor is None else cursors.decode(cursor, access.workspace_id)
    latest, horizon = await feed_state(session, access)
    if after is not None and after < horizon:
        raise ResyncRequired()
    changes = await changes_between(session, access.workspace_id, after, latest, limit + 1)
    has_more = len(changes) > limit
    position = changes[limit - 1].seq if has_more else max(latest, after or 0)
    return ChangePage(
        changes=changes[:limit],
        cursor=cursors.encode(access.workspace_id, position),
        has_more=has_more,
    )


async def changes_between(
    session: AsyncSession, workspace_id: uuid.UUID, after: int | None, upto: int, limit: int
) -> list[Change]:
    """At most `limit` changes in (after, upto], by position; from scratch (`after`
    None) only the live items, since a new copy has nothing to delete."""
    found: list[Change] = []
    for source in _SOURCES:
        found += await _item_changes(session, source, workspace_id, after, upto, limit)
    if after is not None:
        found += await _departures(session, workspace_id, after, upto, limit)
    found.sort(key=lambda change: change.seq)
    return found[:limit]


async def _item_changes(
    session: AsyncSession,
    source: WorkspaceItems[Any],
    workspace_id: uuid.UUID,
    after: int | None,
    upto: int,
    limit: int,
) -> list[Change]:
    c = source.c
    conditions = [c.workspace_id == workspace_id, c.change_seq > (after or 0), c.change_seq <= upto]
    if after is None:
        conditions.append(source.live)
    statement = (
        select(*source.columns, c.change_seq.label("_seq"), c.deleted_at.label("_deleted_at"))
        .where(*conditions)
        .order_by(c.change_seq)
        .limit(limit)
    )
    changes = []
    for row in await session.execute(statement):
        item = source.read.model_validate(row._mapping)
        gone = row._deleted_at is not None
        changes.append(
            Change(
                seq=row._seq,
                kind=source.kind,  # type: ignore[arg-type]
                id=row.id,
                action="delete" if gone else "upsert",
                version=row.version,
                at=row._deleted_at if gone else row.updated_at,
                item=None if gone else item,
            )
        )
    return changes


async def _departures(
    session: AsyncSession, workspace_id: uuid.UUID, after: int, upto: int, limit: int
) -> list[Change]:
    statement = (
        select(_t.item_id, _t.kind, _t.seq, _t.version, _t.at)
        .where(_t.workspace_id == workspace_id, _t.seq > after, _t.seq <= upto)
        .order_by(_t.seq)
        .limit(limit)
    )
    return [
        Change(
            seq=row.seq,
            kind=row.kind,
            id=row.item_id,
            action="delete",
            version=row.version,
            at=row.at,
            item=None,
        )
        for row in await session.execute(statement)
    ]
