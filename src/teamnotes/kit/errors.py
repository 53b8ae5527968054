"""The error hierarchy and the handlers that render every 4xx/5xx in the contract's body."""

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
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


class ServiceUnavailable(AppError):
    status_code = 503
    error_code = "service_unavailable"
    detail = "Service unavailable"


# Starlette raises its own HTTPException for routing outcomes; map them onto the codes.
_HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "service_unavailable",
}

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


def _dotted(loc: Sequence[int | str]) -> str | None:
    where, *path = (str(part) for part in loc)
    if where == "body":
        return ".".join(path) or None
    return ".".join([where, *path])


def field_errors(exc: RequestValidationError) -> list[FieldError]:
    return [
        FieldError(field=_dotted(error["loc"]), message=error["msg"], error_code=error["type"])
        for error in exc.errors()
    ]


def _listed(exc: AppError) -> list[FieldError] | None:
    """A 422's `errors` list: the one field this error names, if any."""
    if exc.status_code != 422:
        return None
    if exc.field is None:
        return []
    return [FieldError(field=exc.field, message=exc.detail, error_code=exc.error_code)]


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return error_response(
        request.scope,
        exc.status_code,
        exc.error_code,
        exc.detail,
        field=exc.field,
        headers=exc.extra_headers,
        errors=_listed(exc),
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if any(error["type"] == "json_invalid" for error in exc.errors()):
        return error_response(request.scope, 400, "invalid_json", "Request body is not valid JSON")
    errors = field_errors(exc)
    first = errors[0] if errors else None
    detail = f"{first.field or 'body'}: {first.message}" if first else ValidationFailed.detail
    return error_response(
        request.scope,
        422,
        "validation_error",
        detail,
        field=first.field if first else None,
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_ERROR_CODES.get(exc.status_code, "internal_error")
    detail = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, str(exc.detail))
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and "Allow" in headers:
        headers["Allow"] = _allowed_methods(request)
    return error_response(
        request.scope,
        exc.status_code,
        code,
        detail,
        errors=[] if exc.status_code == 422 else None,
        headers=headers,
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    """Every method some route answers at this path. Starlette's own Allow names only
    the first route that matched the path: `DELETE /notes` would say `GET` alone."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


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
