"""The bodies of `/workspaces/{id}/webhooks` (API.md §12)."""

import uuid
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from teamnotes.kit.fields import Timestamp, omittable, verbatim

EventType = Literal[
    "note.created",
    "note.updated",
    "note.deleted",
    "task.created",
    "task.updated",
    "task.deleted",
    "*",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)[:-1]


def _one_way_to_say_all(events: list[EventType]) -> list[EventType]:
    # "*" already means every event: with others beside it, it is still just "*".
    return ["*"] if "*" in events else list(dict.fromkeys(events))


Events = Annotated[
    list[EventType],
    Field(min_length=1, max_length=len(EVENT_TYPES)),
    AfterValidator(_one_way_to_say_all),
]
Url = Annotated[str, StringConstraints(max_length=2048, pattern=r"^https?://[^\x00]+$")]
Description = Annotated[str, verbatim(500)]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url = Field(description="http(s)://, at a public address (see TEAMNOTES_WEBHOOKS_*).")
    events: Events = Field(description='Event types, or `["*"]` for all of them.')
    description: Description | None = None


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url = omittable()
    events: Events = omittable()
    description: Description | None = None
    active: bool = omittable()


class WebhookRead(BaseModel):
    id: uuid.UUID
    url: str
    events: list[EventType]
    description: str | None
    active: bool
    created_at: Timestamp


class WebhookCreated(WebhookRead):
    secret: str = Field(description="`whsec_` and a base64 key; returned once. Verify with it.")


class DeliveryRead(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    type: str
    attempt: int
    status_code: int | None
    error: str | None
    duration_ms: int
    attempted_at: Timestamp
