"""The contract's error body (API.md §1), checked alike by the tests of every domain."""

from typing import Any

import httpx


def assert_error(response: httpx.Response, status: int, error_code: str) -> dict[str, Any]:
    """The response is the error `error_code` with `status`, carrying its request id."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error_code"] == error_code
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def assert_validation_error(response: httpx.Response, field: str | None) -> dict[str, Any]:
    """A 422 that names `field` first, and among its errors."""
    body = assert_error(response, 422, "validation_error")
    assert body["field"] == field
    assert field in [error["field"] for error in body["errors"]]
    return body
