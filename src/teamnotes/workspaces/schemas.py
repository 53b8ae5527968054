import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from teamnotes.auth.schemas import Email
from teamnotes.kit.fields import Timestamp, trimmed
from teamnotes.workspaces.gate import Role

WorkspaceName = Annotated[str, trimmed(100)]


class WorkspaceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: WorkspaceName


class WorkspaceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: WorkspaceName


class WorkspaceRead(BaseModel):
    id: uuid.UUID
    name: str
    personal: bool
    role: Role = Field(description="The caller's role in the workspace.")
    created_at: Timestamp
    updated_at: Timestamp
    version: int


class MemberRead(BaseModel):
    user_id: str
    email: str | None
    display_name: str | None
    role: Role
    joined_at: Timestamp


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email | None = Field(
        None, description="Only a caller with this email may accept; none: anyone with the token."
    )
    role: Role


class InvitationRead(BaseModel):
    id: uuid.UUID
    workspace_id: uuid.UUID
    email: str | None
    role: Role
    invited_by: str
    created_at: Timestamp
    expires_at: Timestamp


class InvitationCreated(InvitationRead):
    token: str = Field(description="Returned once: pass it on to the invitee.")


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=200)


class ItemMove(BaseModel):
    """The body of a move: the workspace the item goes to."""

    model_config = ConfigDict(extra="forbid")

    workspace_id: uuid.UUID
