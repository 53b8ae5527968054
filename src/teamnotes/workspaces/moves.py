"""Moving an item to another workspace (API.md §7)."""

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.changes import tombstones
from teamnotes.kit.errors import PreconditionFailed
from teamnotes.workspaces import gate
from teamnotes.workspaces.gate import Access
from teamnotes.workspaces.items import WorkspaceItems

ReadT = TypeVar("ReadT", bound=BaseModel)


async def move(
    items: WorkspaceItems[ReadT],
    session: AsyncSession,
    *,
    access: Access,
    item_id: str,
    target: uuid.UUID,
    expected_version: int | None,
    now: datetime,
    placed: Mapping[str, Any] | None = None,
) -> ReadT:
    """Move an item to another workspace where the caller is an editor too.

    Both workspaces' writers are held (in id order, so two opposite moves cannot
    deadlock); `placed` are the fields the item takes in its new workspace.
    """
    key = items.key(item_id)
    destination = Access(access.principal, target, "editor")
    if target == access.workspace_id:
        return await items.get(session, access=access, item_id=item_id)
    first, second = sorted((access, destination), key=lambda each: each.workspace_id.bytes)
    positions = {
        first.workspace_id: await gate.begin_write(session, first),
        second.workspace_id: await gate.begin_write(session, second),
    }
    conditions = [items.id == key, items.c.workspace_id == access.workspace_id, items.live]
    if expected_version is not None:
        conditions.append(items.version == expected_version)
    statement = (
        update(items.table)
        .where(*conditions)
        .values(
            **(placed or {}),
            **items.authorship(destination, positions[target]),
            workspace_id=target,
            updated_at=now,
            version=items.version + 1,
        )
        .returning(*items.columns)
    )
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        await items.get(session, access=access, item_id=item_id)  # 404 when gone
        raise PreconditionFailed()
    moved = items.as_read(row)
    await tombstones.record_departure(
        session,
        workspace_id=access.workspace_id,
        kind=items.kind,
        item_id=key,
        version=moved.version,  # type: ignore[attr-defined]
        seq=positions[access.workspace_id],
        at=now,
    )
    await tombstones.clear_arrival(session, workspace_id=target, item_id=key)
    await items.record(session, "deleted", access, key, None, positions[access.workspace_id])
    await items.record(session, "created", destination, key, moved, positions[target])
    return moved
