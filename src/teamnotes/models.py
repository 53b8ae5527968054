"""Every table, imported in one place so that Alembic sees the whole schema."""

from teamnotes.auth.models import User
from teamnotes.db import Base
from teamnotes.notes.models import Note

__all__ = ["Base", "Note", "User"]
