"""The error hierarchy and the contract's error body (kit.handlers renders them)."""

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.types import Scope


class FieldError(BaseModel):
    field: str | None = Field(description="Dotted path; body fields bare, others prefixed.")
    message: str
    error_code: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    detail: str
    error_code: str
    field: str | None = None
    request_id: str


class ValidationErrorBody(ErrorBody):
    errors: list[FieldError]


class AppError(Exception):
    """A failure the client can act on; subclasses fix its status and error code."""

    status_code: ClassVar[int] = 500
    error_code: ClassVar[str] = "internal_error"
    detail: str = "Internal server error"
    headers: ClassVar[Mapping[str, str]] = {}
    # The failure itself must be recorded (a counted failed login, a revoked token
    # family): the request's transaction commits instead of rolling back.
    keeps_changes: ClassVar[bool] = False
    # A 422's entry in `errors` may say more precisely what is wrong with the field.
    field_error_code: ClassVar[str | None] = None

    def __init__(
        self,
        detail: str | None = None,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if detail is not None:
            self.detail = detail
        self.field = field
        self.extra_headers = {**self.headers, **(headers or {})}
        super().__init__(self.detail)


class NotAuthenticated(AppError):
    status_code = 401
    error_code = "not_authenticated"
    detail = "Not authenticated"
    headers: ClassVar[Mapping[str, str]] = {"WWW-Authenticate": "Bearer"}


class InvalidToken(NotAuthenticated):
    error_code = "invalid_token"
    detail = "Invalid or expired token"


class InvalidCredentials(NotAuthenticated):
    error_code = "invalid_credentials"
    detail = "Incorrect email or password"


class RateLimited(AppError):
    status_code = 429
    error_code = "rate_limited"
    detail = "Too many failed attempts; try again later"

    def __init__(self, retry_after: int) -> None:
        super().__init__(headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class Forbidden(AppError):
    status_code = 403
    error_code = "forbidden"
    detail = "Forbidden"


class NotFound(AppError):
    status_code = 404
    error_code = "not_found"
    detail = "Not found"


class Conflict(AppError):
    status_code = 409
    error_code = "conflict"
    detail = "Conflict"


class EmailTaken(Conflict):
    error_code = "email_taken"
    detail = "A user with this email already exists"


class PreconditionFailed(AppError):
    status_code = 412
    error_code = "precondition_failed"
    detail = "The resource has changed since the version in If-Match"


class PayloadTooLarge(AppError):
    status_code = 413
    error_code = "payload_too_large"
    detail = "Request body too large"


class UnsupportedMediaType(AppError):
    status_code = 415
    error_code = "unsupported_media_type"
    detail = "Request body must be JSON (Content-Type: application/json)"


class ValidationFailed(AppError):
    status_code = 422
    error_code = "validation_error"
    detail = "Validation failed"


# Long enough for a database restart or a lock holder to finish, short enough that a
# client retrying on its own does not wait much past the outage.
RETRY_AFTER_SECONDS = 2


class ServiceUnavailable(AppError):
    status_code = 503
    error_code = "service_unavailable"
    detail = "Service unavailable"
    headers: ClassVar[Mapping[str, str]] = {"Retry-After": str(RETRY_AFTER_SECONDS)}


_JSON_HEADERS = {"content-type": "application/json"}


def request_id_of(scope: Scope) -> str:
    state: dict[str, Any] = scope.get("state", {})
    return str(state.get("request_id", ""))


def error_response(
    scope: Scope,
    status_code: int,
    error_code: str,
    detail: str,
    *,
    field: str | None = None,
    errors: Sequence[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "detail": detail,
        "error_code": error_code,
        "field": field,
        "request_id": request_id_of(scope),
    }
    if errors is not None:
        body["errors"] = [error.model_dump() for error in errors]
    return Response(
        json.dumps(body, ensure_ascii=False).encode(),
        status_code=status_code,
        headers={**_JSON_HEADERS, **(headers or {})},
    )


# The headers API.md §1 promises beside some error bodies.
_ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "The scheme to authenticate with: `Bearer`.",
            "required": True,
            "schema": {"type": "string", "pattern": "^Bearer"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds until the attempt may be made again.",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
    503: {
        "Retry-After": {
            "description": "Seconds after which the request is worth retrying: the "
            "database could not be reached or used just now.",
            "required": True,
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries declaring the error body (and headers) for the given
    statuses."""
    return {
        status: {
            "model": ValidationErrorBody if status == 422 else ErrorBody,
            **({"headers": _ERROR_HEADERS[status]} if status in _ERROR_HEADERS else {}),
        }
        for status in statuses
    }
