"""Delivering the outbox, from inside every server process (API.md §12).

A process wakes when one of its own commits wrote events (the after-commit hook),
and otherwise every `poll_interval` seconds, which is how it finds retries that
fell due and events whose process died before sending them. It claims due events
in one statement: each claimed row's next attempt moves a lease into the future,
in a transaction that only one process wins per row (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, the single writer on SQLite). A claim that lapses (its process was
killed mid-attempt) makes the event due again: delivery is at least once.

At most `concurrency` attempts run at a time per process, each bounded by the
sender's timeout, so a slow receiver holds a slot, never a request. An attempt's
outcome is recorded with a guard on the attempt number, so a lapsed claim's late
answer cannot overwrite a newer attempt's.
"""

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, case, false, insert, select, tuple_, update

from teamnotes.kit.db import Database, utcnow
from teamnotes.kit.ids import new_id
from teamnotes.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from teamnotes.webhooks.outbox import RECORDED
from teamnotes.webhooks.sender import Outcome, Sender

log = logging.getLogger("teamnotes.webhooks")

_h = cast(Table, Webhook.__table__)
_e = cast(Table, WebhookEvent.__table__)
_LONGEST_DELAY = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    first_retry: float
    """Seconds before the second attempt; each later delay is four times the last."""
    retry_for: float
    """Seconds after the event within which attempts are made."""
    disable_after: int
    """Events in a row failed for good that turn the webhook off."""

    def delay(self, attempt: int) -> timedelta:
        """How long after failed attempt number `attempt` (from 1) the next one comes."""
        seconds = self.first_retry * 4 ** min(attempt - 1, 20)
        return min(timedelta(seconds=seconds), _LONGEST_DELAY)


@dataclass(frozen=True, slots=True)
class Claimed:
    event_id: Any
    webhook_id: Any
    attempt: int
    type: str
    body: str
    created_at: datetime
    url: str
    secret: str


class Dispatcher:
    def __init__(
        self,
        database: Database,
        sender: Sender,
        policy: RetryPolicy,
        *,
        concurrency: int,
        poll_interval: float,
    ) -> None:
        self.database = database
        self.sender = sender
        self.policy = policy
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        # Longer than any attempt takes, so that only a dead process's claim lapses.
        self.lease = timedelta(seconds=2 * sender.timeout + 10)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._attempts: set[asyncio.Task[None]] = set()
        database.on_commit(self.committed)

    def committed(self, info: dict[Any, Any]) -> None:
        """The after-commit hook: a transaction that wrote events wakes the loop."""
        if info.get(RECORDED):
            self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop at once: attempts cut off here are made again once their claim lapses."""
        tasks = [*self._attempts, *([self._task] if self._task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.sender.close()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._dispatch_due()
            except Exception as error:  # the database is away: the next round tries again
                log.warning("could not dispatch webhook events: %s", error)
            # Not asyncio.wait_for: on Python 3.11 it drops a cancellation that comes in
            # the turn the event is set, and the process's shutdown then waits for ever.
            with suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval):
                    await self._wake.wait()

    def _due(self, now: datetime, limit: int) -> Any:
        return (
            select(_e.c.event_id, _e.c.webhook_id)
            .join_from(_e, _h, _h.c.id == _e.c.webhook_id)
            .where(_e.c.state == "pending", _e.c.next_attempt_at <= now, _h.c.active)
            .order_by(_e.c.next_attempt_at)
            .limit(limit)
        )

    async def _dispatch_due(self) -> None:
        while (free := self.concurrency - len(self._attempts)) > 0:
            # A read first: on SQLite a claim takes the write lock, every round.
            async with self.database.read_session() as session:
                if (await session.execute(self._due(utcnow(), 1))).first() is None:
                    return
            claimed = await self._claim(free)
            for event in claimed:
                task = asyncio.create_task(self._attempt(event))
                self._attempts.add(task)
                task.add_done_callback(self._attempts.discard)
            if len(claimed) < free:
                return

    async def _claim(self, limit: int) -> list[Claimed]:
        now = utcnow()
        due = self._due(now, limit).with_for_update(of=_e, skip_locked=True)
        async with self.database.write_session() as session, session.begin():
            rows = (
                await session.execute(
                    update(_e)
                    .where(tuple_(_e.c.event_id, _e.c.webhook_id).in_(due))
                    .values(attempts=_e.c.attempts + 1, next_attempt_at=now + self.lease)
                    .returning(
                        _e.c.event_id,
                        _e.c.webhook_id,
                        _e.c.attempts,
                        _e.c.type,
                        _e.c.body,
                        _e.c.created_at,
                    )
                )
            ).all()
            if not rows:
                return []
            hooks = {
                hook.id: hook
                for hook in await session.execute(
                    select(_h.c.id, _h.c.url, _h.c.secret).where(
                        _h.c.id.in_({row.webhook_id for row in rows})
                    )
                )
            }
        return [
            Claimed(
                row.event_id,
                row.webhook_id,
                row.attempts,
                row.type,
                row.body,
                row.created_at,
                hooks[row.webhook_id].url,
                hooks[row.webhook_id].secret,
            )
            for row in rows
        ]

    async def _attempt(self, event: Claimed) -> None:
        try:
            outcome = await self.sender.send(
                url=event.url, secret=event.secret, event_id=str(event.event_id), body=event.body
            )
            await self._record(event, outcome)
        except Exception as error:  # its claim lapses, and the attempt is made again
            log.warning("could not record a webhook delivery: %s", error)
        finally:
            self._wake.set()  # a slot is free

    async def _record(self, event: Claimed, outcome: Outcome) -> None:
        now = utcnow()
        given_up = False
        if outcome.delivered:
            values: dict[str, Any] = {"state": "delivered"}
        else:
            next_at = now + self.policy.delay(event.attempt)
            given_up = next_at > event.created_at + timedelta(seconds=self.policy.retry_for)
            values = {"state": "failed"} if given_up else {"next_attempt_at": next_at}
        e, h = _e.c, _h.c
        async with self.database.write_session() as session, session.begin():
            mine = await session.execute(
                update(_e)
                .where(
                    e.event_id == event.event_id,
                    e.webhook_id == event.webhook_id,
                    e.attempts == event.attempt,
                )
                .values(**values)
                .returning(e.event_id)
            )
            if mine.first() is None:
                return  # the claim lapsed and another attempt took over (or it is gone)
            if outcome.delivered:
                await session.execute(update(_h).where(h.id == event.webhook_id).values(failures=0))
            elif given_up:
                turned_off = h.failures + 1 >= self.policy.disable_after
                still = await session.execute(
                    update(_h)
                    .where(h.id == event.webhook_id)
                    .values(
                        failures=h.failures + 1, active=case((turned_off, false()), else_=h.active)
                    )
                    .returning(h.active)
                )
                if not still.scalar_one():
                    log.warning("webhook %s is off: too many events failed", event.webhook_id)
            await session.execute(
                insert(WebhookDelivery).values(
                    id=new_id(),
                    webhook_id=event.webhook_id,
                    event_id=event.event_id,
                    type=event.type,
                    attempt=event.attempt,
                    status_code=outcome.status_code,
                    error=outcome.error,
                    duration_ms=outcome.duration_ms,
                    attempted_at=now,
                )
            )
