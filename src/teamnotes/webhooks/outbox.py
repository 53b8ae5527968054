"""The outbox: a workspace's changes as webhook events, written in the change's own
transaction (API.md §12), so that no event exists for a change rolled back and no
change commits without its events, even across `kill -9`.

A write in a workspace with webhooks runs one statement here, an INSERT … SELECT
over the workspace's active webhooks subscribed to the event. A write elsewhere runs
none: the workspace row's `has_webhooks`, read by the write's first statement
(`gate.begin_write`), says there is nobody to tell. The body is built once, as it
will be sent.
"""

import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, cast

from pydantic import TypeAdapter
from sqlalchemy import Table, Uuid, delete, insert, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import utcnow
from teamnotes.kit.fields import Timestamp
from teamnotes.kit.ids import new_id
from teamnotes.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from teamnotes.workspaces.gate import WITH_WEBHOOKS
from teamnotes.workspaces.written import Written

RECORDED = "webhook_events"
"""Set in a session's `info` when it wrote an event: its commit wakes the dispatcher."""

_h = cast(Table, Webhook.__table__).c
_e = cast(Table, WebhookEvent.__table__)
_d = cast(Table, WebhookDelivery.__table__)
_timestamp = TypeAdapter(Timestamp)


def body(event_id: str, event_type: str, created_at: datetime, written: Written) -> str:
    """The JSON that is POSTed: `{id, type, created_at, workspace_id, data}`."""
    item = written.item
    data: Any = {"id": str(written.item_id)} if item is None else json.loads(item.model_dump_json())
    return json.dumps(
        {
            "id": event_id,
            "type": event_type,
            "created_at": _timestamp.dump_python(created_at),
            "workspace_id": str(written.access.workspace_id),
            "data": data,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


async def record(session: AsyncSession, written: Written) -> None:
    """Queue the event for every webhook of the workspace that wants it."""
    if written.access.workspace_id not in session.info.get(WITH_WEBHOOKS, ()):
        return  # the workspace has none: its row said so when the write began
    event_type = f"{written.kind}.{written.event}"
    event_id, now = new_id(), utcnow()
    subscribed = select(
        literal(event_id, Uuid).label("event_id"),
        _h.id,
        literal(event_type).label("type"),
        literal(body(str(event_id), event_type, now, written)).label("body"),
        literal(now, _e.c.created_at.type).label("created_at"),
        literal("pending").label("state"),
        literal(0).label("attempts"),
        literal(now, _e.c.next_attempt_at.type).label("next_attempt_at"),
    ).where(
        _h.workspace_id == written.access.workspace_id,
        _h.active,
        or_(_h.events == ",*,", _h.events.contains(f",{event_type},", autoescape=True)),
    )
    columns = ["event_id", "webhook_id", "type", "body", "created_at", "state", "attempts"]
    inserted = await session.execute(
        insert(_e).from_select([*columns, "next_attempt_at"], subscribed)
    )
    if inserted.rowcount:  # type: ignore[attr-defined]
        session.info[RECORDED] = True


def pruning(kept: timedelta) -> Callable[[AsyncSession, datetime], Awaitable[int]]:
    """The housekeeping purge of deliveries, and of finished events, older than `kept`."""

    async def purge_expired(session: AsyncSession, now: datetime) -> int:
        before = now - kept
        attempts = await session.execute(delete(_d).where(_d.c.attempted_at < before))
        finished = await session.execute(
            delete(_e).where(_e.c.created_at < before, _e.c.state != "pending")
        )
        return int(attempts.rowcount) + int(finished.rowcount)  # type: ignore[attr-defined]

    return purge_expired
