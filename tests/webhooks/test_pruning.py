"""Housekeeping keeps deliveries, and finished events, for TEAMNOTES_WEBHOOKS_RETENTION_DAYS."""

import uuid
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import insert, select

from teamnotes.kit.db import utcnow
from teamnotes.kit.ids import new_id
from teamnotes.webhooks import outbox
from teamnotes.webhooks.models import WebhookDelivery, WebhookEvent
from tests.factories import token_user
from tests.webhooks.conftest import make_webhook, personal_workspace

KEPT = timedelta(days=30)


async def test_old_deliveries_and_finished_events_go_pending_ones_stay(
    hooks: httpx.AsyncClient, hooks_app: FastAPI
) -> None:
    user = await token_user(hooks_app)
    workspace = await personal_workspace(hooks, user.headers)
    hook = uuid.UUID(
        (await make_webhook(hooks, user.headers, workspace, "http://127.0.0.1:9/"))["id"]
    )
    now, old = utcnow(), utcnow() - KEPT - timedelta(hours=1)
    later = now + timedelta(days=365)  # far off: no dispatcher takes these meanwhile
    events = {state: new_id() for state in ("delivered", "failed", "pending", "recent")}
    database = hooks_app.state.database
    async with database.write_session() as session, session.begin():
        for state, event_id in events.items():
            await session.execute(
                insert(WebhookEvent).values(
                    event_id=event_id,
                    webhook_id=hook,
                    type="note.created",
                    body="{}",
                    created_at=now if state == "recent" else old,
                    state="delivered" if state == "recent" else state,
                    attempts=1,
                    next_attempt_at=later,
                )
            )
        for event_id, at in ((events["delivered"], old), (events["recent"], now)):
            await session.execute(
                insert(WebhookDelivery).values(
                    id=new_id(),
                    webhook_id=hook,
                    event_id=event_id,
                    type="note.created",
                    attempt=1,
                    status_code=204,
                    duration_ms=3,
                    attempted_at=at,
                )
            )
        removed = await outbox.pruning(KEPT)(session, now)
    async with database.read_session() as session:
        left = set(
            await session.scalars(
                select(WebhookEvent.event_id).where(WebhookEvent.webhook_id == hook)
            )
        )
        attempts = list(
            await session.scalars(
                select(WebhookDelivery.event_id).where(WebhookDelivery.webhook_id == hook)
            )
        )
    assert left == {events["pending"], events["recent"]}
    assert attempts == [events["recent"]]
    assert removed == 3
