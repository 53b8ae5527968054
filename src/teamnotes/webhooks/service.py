"""A workspace's webhooks (API.md §12): made, read, changed and removed by its admins,
every statement through the workspace gate."""

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import utcnow
from teamnotes.kit.errors import NotFound
from teamnotes.kit.ids import new_id, parse_id
from teamnotes.kit.pagination import Page, PageParams
from teamnotes.webhooks import addresses
from teamnotes.webhooks.models import Webhook, WebhookDelivery
from teamnotes.webhooks.schemas import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from teamnotes.webhooks.signing import new_secret
from teamnotes.workspaces import gate
from teamnotes.workspaces.gate import Access
from teamnotes.workspaces.models import Workspace

_h = cast(Table, Webhook.__table__).c
_d = cast(Table, WebhookDelivery.__table__).c
_w = cast(Table, Workspace.__table__).c
_COLUMNS = (_h.id, _h.url, _h.events, _h.description, _h.active, _h.created_at)


class WebhookNotFound(NotFound):
    detail = "Webhook not found"


def stored_events(events: Sequence[str]) -> str:
    """The form the outbox matches: each type between commas."""
    return ",".join(["", *events, ""])


def _read(row: Any) -> WebhookRead:
    return WebhookRead(**{**row._mapping, "events": row.events.strip(",").split(",")})


def _in_workspace(access: Access, webhook_id: str) -> list[Any]:
    return [_h.id == parse_id(webhook_id), _h.workspace_id == access.workspace_id]


async def _hold(session: AsyncSession, access: Access) -> None:
    """Lock the workspace row first, as its writers do (`gate.begin_write`): the flag
    then changes in step with them, and the two never wait on each other in a cycle."""
    await session.execute(select(_w.id).where(_w.id == access.workspace_id).with_for_update())


async def _flag(session: AsyncSession, access: Access) -> None:
    """Say on the workspace row whether it has an active webhook (its writes read it)."""
    active = exists().where(_h.workspace_id == access.workspace_id, _h.active)
    await session.execute(
        update(Workspace).where(_w.id == access.workspace_id).values(has_webhooks=active)
    )


async def create_webhook(
    session: AsyncSession, *, access: Access, data: WebhookCreate, allow_private: bool
) -> WebhookCreated:
    """A new webhook, on; its secret is in this answer only."""
    # Resolving a name takes time: before the first statement, which on SQLite takes
    # the write lock.
    await addresses.vet(data.url, allow_private=allow_private)
    await gate.explain(session, access)
    await _hold(session, access)
    now, secret = utcnow(), new_secret()
    row = (
        await session.execute(
            insert(Webhook)
            .values(
                id=new_id(),
                workspace_id=access.workspace_id,
                url=data.url,
                events=stored_events(data.events),
                description=data.description,
                secret=secret,
                active=True,
                failures=0,
                created_at=now,
                updated_at=now,
            )
            .returning(*_COLUMNS)
        )
    ).one()
    await _flag(session, access)
    return WebhookCreated(**_read(row).model_dump(), secret=secret)


async def list_webhooks(
    session: AsyncSession, *, access: Access, page: PageParams
) -> Page[WebhookRead]:
    """The workspace's webhooks, newest first, without their secrets."""
    mine = [_h.workspace_id == access.workspace_id, *gate.admits(access)]
    rows = (
        await session.execute(
            select(*_COLUMNS, func.count().over().label("_total"))
            .where(*mine)
            .order_by(_h.created_at.desc(), _h.id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
    ).all()
    if not rows:
        await gate.explain(session, access)
    total = rows[0]._total if rows else 0
    if not rows and page.offset:
        total = (await session.execute(select(func.count()).where(*mine))).scalar_one()
    return Page(items=[_read(row) for row in rows], total=total, **page.model_dump())


async def get_webhook(session: AsyncSession, *, access: Access, webhook_id: str) -> WebhookRead:
    """One of the workspace's webhooks; WebhookNotFound for any other id."""
    statement = select(*_COLUMNS).where(*_in_workspace(access, webhook_id), *gate.admits(access))
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        await gate.explain(session, access)
        raise WebhookNotFound()
    return _read(row)


async def update_webhook(
    session: AsyncSession,
    *,
    access: Access,
    webhook_id: str,
    data: WebhookUpdate,
    allow_private: bool,
) -> WebhookRead:
    """Change what was sent; turning it back on clears its failure count."""
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if "url" in changes:
        await addresses.vet(data.url, allow_private=allow_private)
    if "events" in changes:
        changes["events"] = stored_events(data.events)
    if changes.get("active"):
        changes["failures"] = 0
    await _hold(session, access)
    row = (
        await session.execute(
            update(Webhook)
            .where(*_in_workspace(access, webhook_id), *gate.admits(access))
            .values(**changes, updated_at=utcnow())
            .returning(*_COLUMNS)
        )
    ).one_or_none()
    if row is None:
        await gate.explain(session, access)
        raise WebhookNotFound()
    await _flag(session, access)
    return _read(row)


async def delete_webhook(session: AsyncSession, *, access: Access, webhook_id: str) -> None:
    """The webhook and what it has not yet delivered are gone."""
    await _hold(session, access)
    deleted = await session.execute(
        delete(Webhook)
        .where(*_in_workspace(access, webhook_id), *gate.admits(access))
        .returning(_h.id)
    )
    if deleted.first() is None:
        await gate.explain(session, access)
        raise WebhookNotFound()
    await _flag(session, access)


async def list_deliveries(
    session: AsyncSession, *, access: Access, webhook_id: str, page: PageParams
) -> Page[DeliveryRead]:
    """The webhook's delivery attempts, newest first."""
    webhook = await get_webhook(session, access=access, webhook_id=webhook_id)
    columns = [_d[name] for name in DeliveryRead.model_fields]
    rows = (
        await session.execute(
            select(*columns, func.count().over().label("_total"))
            .where(_d.webhook_id == webhook.id)
            .order_by(_d.attempted_at.desc(), _d.id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
    ).all()
    total = rows[0]._total if rows else 0
    if not rows and page.offset:
        counted = select(func.count()).where(_d.webhook_id == webhook.id)
        total = (await session.execute(counted)).scalar_one()
    items = [DeliveryRead.model_validate(row._mapping) for row in rows]
    return Page(items=items, total=total, **page.model_dump())
