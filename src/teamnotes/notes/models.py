import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teamnotes.kit.db import Base, UTCDateTime, sortable_text


class Note(Base):
    __tablename__ = "note"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # The user id from the token: a local account's id or an identity provider's
    # `sub`, so there is deliberately no foreign key to auth_user.
    owner_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(sortable_text(200))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    # The words search matches (teamnotes.kit.search), kept beside the text they come from.
    search_title: Mapped[str] = mapped_column(Text, server_default="")
    search_body: Mapped[str] = mapped_column(Text, server_default="")

    # One index per sort order, each ending in id, the tie-break of every list.
    __table_args__ = (
        Index("ix_note_owner_updated", "owner_id", "updated_at", "id"),
        Index("ix_note_owner_created", "owner_id", "created_at", "id"),
        Index("ix_note_owner_title", "owner_id", "title", "id"),
    )
