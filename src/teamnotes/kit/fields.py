"""Field types shared by every domain's schemas, so each rule of API.md §1 lives once."""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

# No NUL anywhere (API.md §1), as a pattern so that the OpenAPI schema says so too.
NO_NUL = r"^[^\x00]*$"
# What remains after trimming: at least one character that is neither blank nor NUL.
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The shape API.md §1 promises, so that the schema (and every client generated from
# it) can hold the API to it: UTC, `Z`, and always six fractional digits.
_RFC3339_UTC_MICROSECONDS = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$"

Timestamp = Annotated[
    datetime,
    PlainSerializer(_rfc3339, return_type=str),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "pattern": _RFC3339_UTC_MICROSECONDS},
        mode="serialization",
    ),
]
"""A UTC timestamp, always written with six fractional digits and a `Z`."""


def _text_only(value: object) -> object:
    # JSON numbers would otherwise pass as Unix times; the contract speaks of RFC 3339.
    if isinstance(value, int | float):
        raise ValueError("must be an RFC 3339 timestamp with an offset, as a string")
    return value


def _as_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError as error:  # e.g. 0001-01-01T00:00:00+01:00 has no UTC instant
        raise ValueError("is out of range once converted to UTC") from error


ClientTimestamp = Annotated[AwareDatetime, BeforeValidator(_text_only), AfterValidator(_as_utc)]
"""A timestamp a client sends: an offset is required; it is stored as UTC."""


def trimmed(max_length: int) -> StringConstraints:
    """A one-line string trimmed of surrounding whitespace, then 1..max_length long."""
    return StringConstraints(
        strip_whitespace=True, min_length=1, max_length=max_length, pattern=NOT_BLANK
    )


def verbatim(max_length: int, min_length: int = 0) -> StringConstraints:
    """Text stored exactly as sent: only its length and the absence of NUL are checked."""
    return StringConstraints(min_length=min_length, max_length=max_length, pattern=NO_NUL)


Title = Annotated[str, trimmed(200)]


def _no_default_in_schema(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def omittable() -> Any:
    """A PATCH field: may be left out, but not sent as null (for non-nullable fields).

    Read what was sent with `model_dump(exclude_unset=True)`.
    """
    return Field(default=None, json_schema_extra=_no_default_in_schema)


def _in_future(value: datetime) -> datetime:
    if value <= datetime.now(UTC):
        raise PydanticCustomError("past_timestamp", "must be in the future")
    return value


FutureTimestamp = Annotated[ClientTimestamp, AfterValidator(_in_future)]
"""A client timestamp that has not passed yet (an expiry)."""
