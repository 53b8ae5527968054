"""Housekeeping: the purges of what has expired, run by the server and by `teamnotes purge`.

Each domain offers its own purge, `purge_expired(session, now) -> int`, and the
composition root lists them as `Job`s. A running server purges every
`TEAMNOTES_HOUSEKEEPING_INTERVAL` seconds, once per deployment whatever the number
of processes: every process wakes on its own, and a job runs only in the process
whose claim on it succeeds, a conditional UPDATE of the job's `housekeeping_run` row
in the transaction that also does the purge (a failed purge gives its claim back).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from teamnotes.kit.db import Base, Database, UTCDateTime, insert_ignoring_conflict, utcnow

log = logging.getLogger("teamnotes.housekeeping")

_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class HousekeepingRun(Base):
    """When a job last ran, anywhere in the deployment."""

    __tablename__ = "housekeeping_run"

    job: Mapped[str] = mapped_column(String(100), primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    purge: Callable[[AsyncSession, datetime], Awaitable[int]]
    """Deletes what has expired at that moment; answers how many rows went."""


async def run_once(database: Database, jobs: Sequence[Job], now: datetime) -> dict[str, int]:
    """Run every job now, each in a write transaction of its own: what each removed."""
    removed = {}
    for job in jobs:
        async with database.write_session() as session, session.begin():
            removed[job.name] = await job.purge(session, now)
    return removed


async def _claim(session: AsyncSession, job: str, now: datetime, interval: timedelta) -> bool:
    await session.execute(
        insert_ignoring_conflict(session, HousekeepingRun).values(job=job, ran_at=_NEVER)
    )
    claimed = await session.execute(
        update(HousekeepingRun)
        .where(HousekeepingRun.job == job, HousekeepingRun.ran_at <= now - interval)
        .values(ran_at=now)
        .returning(HousekeepingRun.job)
    )
    return claimed.first() is not None


async def run_due(
    database: Database, jobs: Sequence[Job], now: datetime, interval: timedelta
) -> dict[str, int]:
    """Run the jobs that no process of the deployment ran within `interval`.

    What each job that ran here removed; a job another process ran is left out.
    """
    removed = {}
    for job in jobs:
        # The claim's row stays locked until the purge commits (SQLite: the whole
        # database), so a second process waits, then finds the job done.
        async with database.write_session() as session, session.begin():
            if await _claim(session, job.name, now, interval):
                removed[job.name] = await job.purge(session, now)
    return removed


async def run_periodically(database: Database, jobs: Sequence[Job], interval: timedelta) -> None:
    """Run the due jobs now and then every `interval`, until cancelled; never fails."""
    while True:
        try:
            removed = await run_due(database, jobs, utcnow(), interval)
        except Exception:
            # A database outage costs a round, never the server.
            log.exception("housekeeping failed; next round in %s s", interval.total_seconds())
        else:
            if removed:
                log.info("housekeeping ran", extra={"removed": removed})
        await asyncio.sleep(interval.total_seconds())
