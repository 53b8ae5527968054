import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from teamnotes.kit.db import Base, UTCDateTime, sortable_text


class Workspace(Base):
    """Holds notes and tasks; a user's personal one has `personal_owner_id` set."""

    __tablename__ = "workspace"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(sortable_text(100))
    personal_owner_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    # The position of the workspace's change feed: every write of one of its items takes
    # the next value, which also serialises the workspace's writers (API.md §8).
    change_seq: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # Deletes at or below this position are no longer kept: older cursors get 410.
    feed_horizon: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # Whether it may have active webhooks: false spares its writes the outbox's
    # statement (teamnotes.webhooks.outbox). Never false while one is active.
    has_webhooks: Mapped[bool] = mapped_column(Boolean, server_default=false())


class Membership(Base):
    __tablename__ = "membership"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    # A local account's id or a provider's `sub`: no foreign key, as for every user id.
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_membership_user_id", "user_id"),)


class Invitation(Base):
    """A pending invitation; accepting or revoking it deletes the row (single use)."""

    __tablename__ = "invitation"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("workspace.id", ondelete="CASCADE")
    )
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_invitation_workspace_created", "workspace_id", "created_at"),)
