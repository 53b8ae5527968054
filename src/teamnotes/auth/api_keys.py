"""API keys (API.md §11): the table, the tokens, and the condition that a key lives.

A key is a bearer token of its own form (`tn_` and 256 random bits), kept only as its
SHA-256: checking one is a hash lookup, not a password hash. Revoking deletes the
row, and every statement of a key's request carries `alive(key)`, so a revocation
holds at once on every process however long a process remembers the key itself.
"""

import hashlib
import secrets
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, ForeignKey, Index, String, Table, Uuid, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from teamnotes.kit.db import Base, UTCDateTime

PREFIX = "tn_"
SHOWN = 10
"""How much of a token stays visible (`prefix`), to recognise it."""


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # A local account's id or a provider's `sub`, as for every user id.
    user_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(5))
    # A bound key goes with its workspace.
    workspace_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("workspace.id", ondelete="CASCADE")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(SHOWN))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_api_key_user_created", "user_id", "created_at"),)


_k = cast(Table, ApiKey.__table__).c


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def is_key(token: str) -> bool:
    """A key is told from a JWT by its form alone."""
    return token.startswith(PREFIX)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def alive(key_id: Any) -> ColumnElement[bool]:
    """The key has not been revoked (nor gone with its account or workspace)."""
    return exists().where(_k.id == key_id)


async def is_alive(session: AsyncSession, key_id: uuid.UUID) -> bool:
    found = await session.execute(select(_k.id).where(_k.id == key_id))
    return found.first() is not None
