import uuid
from typing import Literal

from pydantic import BaseModel, Field

from teamnotes.kit.fields import Timestamp
from teamnotes.notes.schemas import NoteRead
from teamnotes.tasks.schemas import TaskRead


class Change(BaseModel):
    seq: int = Field(description="Grows along the feed.")
    kind: Literal["note", "task"]
    id: uuid.UUID
    action: Literal["upsert", "delete"]
    version: int
    at: Timestamp = Field(description="When the change was made.")
    item: NoteRead | TaskRead | None = Field(
        description="For an upsert, the item as its GET returns it; null for a delete."
    )


class ChangePage(BaseModel):
    changes: list[Change]
    cursor: str = Field(description="Continues after these changes.")
    has_more: bool = Field(description="Whether more changes are ready now.")
