"""Open event streams, counted per user across the deployment (API.md §8: at most
`TEAMNOTES_SSE_STREAMS_PER_USER`).

Each open stream holds a row with a lease its process renews every keepalive, so
the streams of a process that died stop counting once their leases run out.
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Index, String, Uuid, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from teamnotes.kit.db import Base, Database, UTCDateTime, utcnow
from teamnotes.kit.errors import RateLimited
from teamnotes.kit.ids import new_id
from teamnotes.kit.locks import hold_names

_LOCK_SPACE = 0x7E4A_0002


class EventStream(Base):
    __tablename__ = "event_stream"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(255))
    process_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_event_stream_user_id", "user_id"),
        Index("ix_event_stream_process_id", "process_id"),
    )


class TooManyStreams(RateLimited):
    detail = "Too many open event streams: close one first"


class StreamSlots:
    """This process's share of the deployment's stream count."""

    def __init__(self, database: Database, *, per_user: int, lease: timedelta) -> None:
        self.database = database
        self.per_user = per_user
        self.lease = lease
        self.process_id = new_id()

    async def take(self, user_id: str) -> uuid.UUID:
        """A slot for a new stream of the user's; TooManyStreams (429) when none is free."""
        async with self.database.write_session() as session, session.begin():
            await hold_names(await session.connection(), _LOCK_SPACE, [user_id])
            now = utcnow()
            mine = EventStream.user_id == user_id
            await session.execute(delete(EventStream).where(mine, EventStream.lease_until < now))
            count = select(func.count()).where(mine)
            if (await session.execute(count)).scalar_one() >= self.per_user:
                raise TooManyStreams(retry_after=int(self.lease.total_seconds()))
            slot = new_id()
            await session.execute(
                insert(EventStream).values(
                    id=slot,
                    user_id=user_id,
                    process_id=self.process_id,
                    lease_until=now + self.lease,
                )
            )
        return slot

    async def give_back(self, slot: uuid.UUID) -> None:
        async with self.database.write_session() as session, session.begin():
            await session.execute(delete(EventStream).where(EventStream.id == slot))

    async def renew(self) -> None:
        """Extend the leases of every stream this process holds open."""
        async with self.database.write_session() as session, session.begin():
            await session.execute(
                update(EventStream)
                .where(EventStream.process_id == self.process_id)
                .values(lease_until=utcnow() + self.lease)
            )


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    """The slots of streams whose process is gone."""
    removed = await session.execute(delete(EventStream).where(EventStream.lease_until < now))
    return int(removed.rowcount)  # type: ignore[attr-defined]
