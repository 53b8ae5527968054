"""The exception handlers: every failure leaves with the contract's error body."""

import logging
from collections.abc import Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from teamnotes.kit.errors import (
    AppError,
    FieldError,
    ServiceUnavailable,
    ValidationFailed,
    error_response,
    request_id_of,
)
from teamnotes.kit.unavailable import SOURCES, is_unavailable, summary

error_log = logging.getLogger("teamnotes.errors")

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
    code = exc.field_error_code or exc.error_code
    return [FieldError(field=exc.field, message=exc.detail, error_code=code)]


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
    the first route that matched the path: `DELETE /notes` would say `GET` alone.
    HEAD goes wherever GET does (kit.middleware answers it as a GET)."""
    routes = request.app.router.routes
    allowed = {
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    }
    if "GET" in allowed:
        allowed.add("HEAD")
    return ", ".join(method for method in _METHODS if method in allowed)


async def _database_error(request: Request, exc: Exception) -> Response:
    """503 for a database that cannot be reached or used now; anything else goes on to
    the crash handler (a 500, logged in full)."""
    if not is_unavailable(exc):
        raise exc
    # One line: the outage is the news, and a traceback would carry the statement.
    error_log.warning(
        "database unavailable: %s",
        summary(exc),
        extra={"request_id": request_id_of(request.scope)},
    )
    return await _app_error(request, ServiceUnavailable())


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for source in SOURCES:
        app.add_exception_handler(source, _database_error)
