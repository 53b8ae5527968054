"""The columns every workspace item (note, task) carries beside its own fields."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from teamnotes.kit.db import UTCDateTime


class WorkspaceItem:
    """Mixin: the workspace an item belongs to, who wrote it, its feed position, and
    its place in the trash (`deleted_at` set)."""

    # A mixin's foreign key must be made per class (SQLAlchemy's declared_attr).
    @declared_attr
    def workspace_id(cls) -> Mapped[uuid.UUID]:  # noqa: N805
        # The items go with their workspace.
        return mapped_column(Uuid, ForeignKey("workspace.id", ondelete="CASCADE"))

    # User ids (a local account's id or a provider's `sub`): no foreign key, and they
    # stay when their user leaves a team workspace.
    created_by: Mapped[str] = mapped_column(String(255))
    updated_by: Mapped[str] = mapped_column(String(255))
    # The workspace's feed position of the item's latest change (API.md §8).
    change_seq: Mapped[int] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(255))


_LIVE = text("deleted_at IS NULL")


def live_index(name: str, *columns: str) -> Index:
    """An index over the items not in the trash, which every list reads."""
    return Index(name, *columns, sqlite_where=_LIVE, postgresql_where=_LIVE)
