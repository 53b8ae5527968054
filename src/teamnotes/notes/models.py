import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from teamnotes.kit.authorship import WorkspaceItem, live_index
from teamnotes.kit.db import Base, UTCDateTime, sortable_text


class Note(WorkspaceItem, Base):
    __tablename__ = "note"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    title: Mapped[str] = mapped_column(sortable_text(200))
    content: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    # The words search matches (teamnotes.kit.search), kept beside the text they come from.
    search_title: Mapped[str] = mapped_column(Text, server_default="")
    search_body: Mapped[str] = mapped_column(Text, server_default="")

    # One index per sort order of the live notes, each ending in id, the tie-break of
    # every list; one for the change feed.
    __table_args__ = (
        live_index("ix_note_workspace_updated", "workspace_id", "updated_at", "id"),
        live_index("ix_note_workspace_created", "workspace_id", "created_at", "id"),
        live_index("ix_note_workspace_title", "workspace_id", "title", "id"),
        Index("ix_note_workspace_change", "workspace_id", "change_seq"),
    )


class PublicLink(Base):
    """A read-only link to a note (API.md §7); its token is the capability."""

    __tablename__ = "public_link"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("workspace.id", ondelete="CASCADE")
    )
    note_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("note.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_public_link_note_created", "note_id", "created_at"),)


class NoteRevision(Base):
    """One version of a note's title and content (API.md §9), kept while the note is."""

    __tablename__ = "note_revision"

    # The primary key serves every read (a note's revisions, newest first) and the
    # cascade when the note is purged.
    note_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("note.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(255))
