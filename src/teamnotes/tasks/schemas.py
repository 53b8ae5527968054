import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from teamnotes.fields import ClientTimestamp, Timestamp, Title, omittable, verbatim

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


def _due_at_in_range(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime:
    # The year is checked in UTC, as the timestamp is stored and returned; one that
    # leaves the calendar when converted raises OverflowError, which pydantic would
    # not turn into a 422 by itself.
    try:
        due_at: datetime = handler(value)
    except OverflowError:
        raise ValueError("due_at must have a year from 1900 to 9999 (in UTC)") from None
    if not 1900 <= due_at.year <= 9999:
        raise ValueError("due_at must have a year from 1900 to 9999 (in UTC)")
    return due_at


Description = Annotated[str, verbatim(1000)]
Order = Annotated[int, Strict(), Field(ge=INT32_MIN, le=INT32_MAX)]
DueAt = Annotated[ClientTimestamp, WrapValidator(_due_at_in_range)]
Completed = Annotated[bool, Strict()]

TaskStatus = Literal["all", "pending", "completed"]
TaskSort = Literal[
    "order",
    "-order",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "title",
    "-title",
    "due_at",
    "-due_at",
]

_DUE_AT_DOC = "RFC 3339 with an offset; the year (in UTC) from 1900 to 9999."


class TaskCreate(BaseModel):
    """A new task. `order` left out: one more than the caller's largest, 1 for the
    first, so new tasks go last; when the largest is already 2147483647, that value
    again (the id, the tie-break, still puts the new task last)."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None
    completed: Completed = False
    order: Order = omittable()
    due_at: DueAt | None = Field(default=None, description=_DUE_AT_DOC)


class TaskReplace(BaseModel):
    """A full replace: fields left out take their creation defaults, but `order` stays."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None
    completed: Completed = False
    order: Order = omittable()
    due_at: DueAt | None = Field(default=None, description=_DUE_AT_DOC)


class TaskUpdate(BaseModel):
    """Any subset of the writable fields; `null` clears `description` and `due_at`."""

    model_config = ConfigDict(extra="forbid")

    title: Title = omittable()
    description: Description | None = omittable()
    completed: Completed = omittable()
    order: Order = omittable()
    due_at: DueAt | None = omittable()


class TaskCompletion(BaseModel):
    """`completed` sets the state; an empty object toggles it."""

    model_config = ConfigDict(extra="forbid")

    completed: Completed = omittable()


class TaskRead(BaseModel):
    id: uuid.UUID
    title: str
    description: str | None
    completed: bool
    order: int
    due_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    completed_at: Timestamp | None
    version: int
