import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict

from teamnotes.kit.fields import Timestamp, Title, omittable, verbatim

Content = Annotated[str, verbatim(100_000)]

NoteSort = Literal["updated_at", "-updated_at", "created_at", "-created_at", "title", "-title"]


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    content: Content = ""


class NoteReplace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    content: Content


class NoteUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title = omittable()
    content: Content = omittable()


class NoteRead(BaseModel):
    id: uuid.UUID
    title: str
    content: str
    created_at: Timestamp
    updated_at: Timestamp
    version: int
