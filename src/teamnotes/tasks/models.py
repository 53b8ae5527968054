import uuid
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teamnotes.kit.db import Base, UTCDateTime, sortable_text


class Task(Base):
    __tablename__ = "task"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # The user id from the token (see Note.owner_id): no foreign key on purpose.
    owner_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(sortable_text(200))
    description: Mapped[str | None] = mapped_column(String(1000))
    completed: Mapped[bool] = mapped_column(Boolean)
    # `order` is a reserved word in SQL: stored as `position`, but keyed `order` in
    # `Task.__table__.c`, so statements and the API both speak of `order`.
    order: Mapped[int] = mapped_column("position", Integer, key="order")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    # The words search matches (teamnotes.kit.search), kept beside the text they come from.
    search_title: Mapped[str] = mapped_column(Text, server_default="")
    search_body: Mapped[str] = mapped_column(Text, server_default="")

    # One index per sort order, each ending in id, the tie-break of every list; the
    # default list (by order) also has one per status.
    __table_args__ = (
        Index("ix_task_owner_order", "owner_id", "order", "id"),
        Index("ix_task_owner_completed_order", "owner_id", "completed", "order", "id"),
        Index("ix_task_owner_created", "owner_id", "created_at", "id"),
        Index("ix_task_owner_updated", "owner_id", "updated_at", "id"),
        Index("ix_task_owner_title", "owner_id", "title", "id"),
        Index("ix_task_owner_due", "owner_id", "due_at", "id"),
    )
