"""What the change feed keeps of items no longer in a workspace (API.md §8).

Live and trashed items carry their own feed position (`change_seq`). An item that
leaves its workspace (moved away, or purged from the trash) leaves a tombstone
there instead, at the position of its departure, so that a reader who knew it
learns it is gone. Tombstones are kept `TEAMNOTES_CHANGES_RETENTION_DAYS`; the
highest position pruned becomes the workspace's feed horizon, below which a
cursor can no longer be served (410).
"""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Uuid, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from teamnotes.kit.db import Base, UTCDateTime, upsert


class ChangeTombstone(Base):
    __tablename__ = "change_tombstone"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(4))
    seq: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_change_tombstone_workspace_seq", "workspace_id", "seq"),)


async def record_departure(
    session: AsyncSession,
    *,
    workspace_id: uuid.UUID,
    kind: str,
    item_id: uuid.UUID,
    version: int,
    seq: int,
    at: datetime,
) -> None:
    """The item left the workspace at this position."""
    values = {"kind": kind, "seq": seq, "version": version, "at": at}
    await session.execute(
        upsert(session, ChangeTombstone)
        .values(workspace_id=workspace_id, item_id=item_id, **values)
        .on_conflict_do_update(index_elements=["workspace_id", "item_id"], set_=values)
    )


async def clear_arrival(
    session: AsyncSession, *, workspace_id: uuid.UUID, item_id: uuid.UUID
) -> None:
    """The item is (back) in the workspace: its row speaks for it from now on."""
    await session.execute(
        delete(ChangeTombstone).where(
            ChangeTombstone.workspace_id == workspace_id, ChangeTombstone.item_id == item_id
        )
    )


async def prune(
    session: AsyncSession, *, before: datetime
) -> tuple[int, list[tuple[uuid.UUID, int]]]:
    """Drop tombstones older than `before`: how many, and per workspace the highest
    position dropped."""
    old = ChangeTombstone.at < before
    horizons = (
        await session.execute(
            select(ChangeTombstone.workspace_id, func.max(ChangeTombstone.seq))
            .where(old)
            .group_by(ChangeTombstone.workspace_id)
        )
    ).all()
    removed = await session.execute(delete(ChangeTombstone).where(old))
    return int(removed.rowcount), [(workspace_id, int(seq)) for workspace_id, seq in horizons]  # type: ignore[attr-defined]
