"""Safe retries of writes: the `Idempotency-Key` header (API.md §1, §10).

Keys are per caller and per workspace (API.md §7). The first request with a key
claims it, in the same transaction as the rows it writes, and stores the response
beside it; both commit together or not at all. A retry with the same key and the
same body, by the same user within 24 hours, gets that stored response (for a
create: the same id, 201) and changes nothing. Concurrent retries cannot both claim
the key: the claim is an INSERT on (owner, workspace, key), so the second one waits
for the first transaction and then sees its response. The same key with another
body (or for another operation) answers 422 `idempotency_key_reused`.
"""

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Protocol, TypeVar

from fastapi import Header, Response
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Index, String, Text, Uuid, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from teamnotes.kit.conditional import etag
from teamnotes.kit.db import Base, UTCDateTime, upsert, utcnow
from teamnotes.kit.errors import Conflict, ValidationFailed

LIFETIME = timedelta(hours=24)

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Retry-safe writes: the same key and body within 24 h return the "
        "original response and change nothing.",
    ),
]


class IdempotencyKey(Base):
    __tablename__ = "idempotency_key"

    owner_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status_code: Mapped[int | None]
    location: Mapped[str | None] = mapped_column(String(600))
    etag: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_idempotency_key_created_at", "created_at"),)


class IdempotencyKeyReused(ValidationFailed):
    error_code = "idempotency_key_reused"
    detail = "This Idempotency-Key was used with a different request"


class Created(Protocol):
    """What a create returns: a response schema with a version."""

    version: int

    def model_dump_json(self) -> str: ...


CreatedT = TypeVar("CreatedT", bound=Created)


def _response(
    status_code: int, body: str, location: str | None, entity_tag: str | None
) -> Response:
    headers = {"Location": location, "ETag": entity_tag}
    return Response(
        body,
        status_code=status_code,
        media_type="application/json",
        headers={name: value for name, value in headers.items() if value is not None},
    )


async def respond_once(
    session: AsyncSession,
    *,
    owner_id: str,
    workspace_id: uuid.UUID,
    key: str | None,
    operation: str,
    request: BaseModel | str,
    respond: Callable[[], Awaitable[Response]],
    authorize: Callable[[], Awaitable[None]],
) -> Response:
    """Run `respond` once per (owner, workspace, key): the JSON response it gives, or
    the one stored for an earlier request with the same key, operation and `request`
    (the body, or a digest of it). A stored response is replayed only to a caller who
    may still do what it did (`authorize` raises otherwise: a member since demoted)."""
    if key is None:
        return await respond()
    body = request if isinstance(request, str) else request.model_dump_json()
    fingerprint = hashlib.sha256(f"{operation}\n{body}".encode()).hexdigest()
    claim = _Claim(owner_id, workspace_id, key)
    stored = await _claim(session, claim, fingerprint=fingerprint)
    if stored is not None:
        await authorize()
        return stored
    response = await respond()
    await session.execute(
        update(IdempotencyKey)
        .where(*claim.where())
        .values(
            status_code=response.status_code,
            location=response.headers.get("Location"),
            etag=response.headers.get("ETag"),
            body=bytes(response.body).decode(),
        )
    )
    return response


async def create_once(
    session: AsyncSession,
    *,
    owner_id: str,
    workspace_id: uuid.UUID,
    key: str | None,
    operation: str,
    request: BaseModel,
    create: Callable[[], Awaitable[CreatedT]],
    location: Callable[[CreatedT], str],
    authorize: Callable[[], Awaitable[None]],
) -> Response:
    """Run `create` once per (owner, key): the 201 it answers, or the stored one."""

    async def created() -> Response:
        item = await create()
        return _response(201, item.model_dump_json(), location(item), etag(item.version))

    return await respond_once(
        session,
        owner_id=owner_id,
        workspace_id=workspace_id,
        key=key,
        operation=operation,
        request=request,
        respond=created,
        authorize=authorize,
    )


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    """Delete the keys older than 24 hours, with their stored responses; how many went."""
    result = await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at <= now - LIFETIME)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class _Claim:
    owner_id: str
    workspace_id: uuid.UUID
    key: str

    def where(self) -> list[ColumnElement[bool]]:
        return [
            IdempotencyKey.owner_id == self.owner_id,
            IdempotencyKey.workspace_id == self.workspace_id,
            IdempotencyKey.key == self.key,
        ]


async def _claim(session: AsyncSession, claim: _Claim, *, fingerprint: str) -> Response | None:
    """None when this request now owns the key; else the response stored for it."""
    now = utcnow()
    fresh = {"fingerprint": fingerprint, "created_at": now}
    # Keys live 24 hours. Housekeeping sweeps the expired ones now and then; one that
    # expired since is claimed afresh here, in the same statement, not answered from.
    claimed = await session.execute(
        upsert(session, IdempotencyKey)
        .values(owner_id=claim.owner_id, workspace_id=claim.workspace_id, key=claim.key, **fresh)
        .on_conflict_do_update(
            index_elements=["owner_id", "workspace_id", "key"],
            set_={**fresh, "status_code": None, "location": None, "etag": None, "body": None},
            where=IdempotencyKey.created_at <= now - LIFETIME,
        )
        .returning(IdempotencyKey.key)
    )
    if claimed.first() is not None:
        return None
    stored = (
        await session.execute(select(IdempotencyKey).where(*claim.where()))
    ).scalar_one_or_none()
    if stored is not None and stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused(field="header.Idempotency-Key")
    if stored is None or stored.status_code is None or stored.body is None:
        raise Conflict("A request with this Idempotency-Key is still in progress")
    return _response(stored.status_code, stored.body, stored.location, stored.etag)


async def forget_user(session: AsyncSession, user_id: str) -> None:
    """Drop a user's stored responses (copies of their notes and tasks)."""
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.owner_id == user_id))


async def forget_workspace(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """Drop the stored responses of a workspace's creates."""
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.workspace_id == workspace_id))
