import uuid
from typing import Literal

from pydantic import BaseModel, Field

from teamnotes.kit.fields import Timestamp


class TrashEntry(BaseModel):
    kind: Literal["note", "task"]
    id: uuid.UUID
    title: str
    deleted_at: Timestamp
    deleted_by: str
    purge_at: Timestamp = Field(description="When it goes for good, unless restored.")
