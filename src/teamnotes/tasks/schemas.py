import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from teamnotes.kit.fields import ClientTimestamp, Timestamp, Title, omittable, verbatim

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


# Request bodies are validated in pydantic's lax mode (FastAPI hands it parsed JSON),
# which converts more than the OpenAPI document admits: these refuse the extras.


def _a_number(value: Any) -> Any:
    # JSON Schema's integer includes 3.0, as pydantic does; but not "3" or true.
    if isinstance(value, str | bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def _text(value: Any) -> Any:
    # A timestamp is RFC 3339 text, not a number of seconds.
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "Input should be an RFC 3339 timestamp")
    return value


def _due_at_in_range(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime:
    # The year is checked in UTC, as the timestamp is stored and returned. One that
    # leaves the calendar when converted raises OverflowError, which pydantic would
    # not turn into a 422 by itself.
    try:
        due_at: datetime = handler(value)
    except OverflowError:
        due_at = datetime.min
    if not 1900 <= due_at.year <= 9999:
        raise PydanticCustomError(
            "datetime_out_of_range", "Input should have a year from 1900 to 9999 (in UTC)"
        )
    return due_at


Description = Annotated[str, verbatim(1000)]
Order = Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX), BeforeValidator(_a_number)]
DueAt = Annotated[
    ClientTimestamp,
    WrapValidator(_due_at_in_range),
    BeforeValidator(_text),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": r"^(19|[2-9][0-9])[0-9][0-9]-",
            "description": "RFC 3339 with an offset; stored in UTC, where its year must "
            "be from 1900 to 9999.",
        }
    ),
]
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


class TaskCreate(BaseModel):
    """A new task. `order` left out: one more than the caller's largest, 1 for the
    first, so new tasks go last; when the largest is already 2147483647, that value
    again (the id, the tie-break, still puts the new task last)."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None
    completed: Completed = False
    order: Order = omittable()
    due_at: DueAt | None = None


class TaskReplace(BaseModel):
    """A full replace: fields left out take their creation defaults, but `order` stays."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None
    completed: Completed = False
    order: Order = omittable()
    due_at: DueAt | None = None


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
    workspace_id: uuid.UUID
    title: str
    description: str | None
    completed: bool
    order: int
    due_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    completed_at: Timestamp | None
    created_by: str
    updated_by: str
    version: int
