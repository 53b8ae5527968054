"""How long the feed keeps its deletes (`TEAMNOTES_CHANGES_RETENTION_DAYS`)."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, case, update
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.changes import tombstones
from teamnotes.workspaces.models import Workspace

_w = cast(Table, Workspace.__table__).c


def pruning(retention: timedelta) -> Callable[[AsyncSession, datetime], Awaitable[int]]:
    """The housekeeping purge of tombstones older than `retention`."""

    async def prune(session: AsyncSession, now: datetime) -> int:
        removed, horizons = await tombstones.prune(session, before=now - retention)
        for workspace_id, position in horizons:
            await session.execute(
                update(Workspace)
                .where(_w.id == workspace_id)
                .values(
                    feed_horizon=case((_w.feed_horizon < position, position), else_=_w.feed_horizon)
                )
            )
        return removed

    return prune
