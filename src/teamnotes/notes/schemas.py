import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from teamnotes.kit.fields import FutureTimestamp, Timestamp, Title, omittable, verbatim

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
    workspace_id: uuid.UUID
    title: str
    content: str
    created_at: Timestamp
    updated_at: Timestamp
    created_by: str
    updated_by: str
    version: int


class LinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_at: FutureTimestamp | None = None


class LinkRead(BaseModel):
    id: uuid.UUID
    token: str
    path: str = Field(description="Where the link answers: `/p/{token}`.")
    created_by: str
    created_at: Timestamp
    expires_at: Timestamp | None


class PublicNote(BaseModel):
    title: str
    content: str
    updated_at: Timestamp


class RevisionSummary(BaseModel):
    version: int
    title: str
    updated_at: Timestamp
    updated_by: str
    content_length: int = Field(description="The content's length in Unicode code points.")


class RevisionRead(BaseModel):
    version: int
    title: str
    content: str
    updated_at: Timestamp
    updated_by: str
