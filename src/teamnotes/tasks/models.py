import uuid
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teamnotes.kit.authorship import WorkspaceItem, live_index
from teamnotes.kit.db import Base, UTCDateTime, sortable_text


class Task(WorkspaceItem, Base):
    __tablename__ = "task"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
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

    # One index per sort order of the live tasks, each ending in id, the tie-break of
    # every list; the default list (by order) also has one per status; one for the
    # change feed.
    __table_args__ = (
        live_index("ix_task_workspace_order", "workspace_id", "order", "id"),
        live_index("ix_task_workspace_completed_order", "workspace_id", "completed", "order", "id"),
        live_index("ix_task_workspace_created", "workspace_id", "created_at", "id"),
        live_index("ix_task_workspace_updated", "workspace_id", "updated_at", "id"),
        live_index("ix_task_workspace_title", "workspace_id", "title", "id"),
        live_index("ix_task_workspace_due", "workspace_id", "due_at", "id"),
        Index("ix_task_workspace_change", "workspace_id", "change_seq"),
    )
