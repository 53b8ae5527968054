"""The bodies of `/auth/api-keys` (API.md §11)."""

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from teamnotes.auth.principal import KeyScope
from teamnotes.kit.fields import FutureTimestamp, Timestamp, trimmed

KeyName = Annotated[str, trimmed(100)]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: KeyName
    scope: KeyScope = Field(
        description="`read`: every GET; `write`: also the writes on notes and tasks."
    )
    workspace_id: uuid.UUID | None = Field(
        None, description="The one workspace (of yours) the key may act in; null: all of yours."
    )
    expires_at: FutureTimestamp | None = Field(None, description="Null: it never expires.")


class ApiKeyRead(BaseModel):
    id: uuid.UUID
    name: str
    scope: KeyScope
    workspace_id: uuid.UUID | None
    prefix: str = Field(description="The token's first 10 characters, to recognise it.")
    created_at: Timestamp
    expires_at: Timestamp | None
    last_used_at: Timestamp | None = Field(description="Updated at most once a minute.")


class ApiKeyCreated(ApiKeyRead):
    token: str = Field(description="Returned once: send it as `Authorization: Bearer tn_…`.")
