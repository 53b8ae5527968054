"""What the tasks tests share: the two path styles and the error-body checks."""

from typing import Any

import httpx

from tests.factories import User

# The same operations answer under both; `{user_id}` is the caller's id.
STYLES = {"token": "/tasks", "user-scoped": "/api/{user_id}/tasks"}

MISSING_ID = "01a20000-0000-7000-8000-000000000000"


def tasks_url(style: str, user: User) -> str:
    return STYLES[style].format(user_id=user.id)


def without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "request_id"}


def assert_not_found(response: httpx.Response) -> None:
    assert response.status_code == 404, response.text
    body = response.json()
    assert without_request_id(body) == {
        "detail": "Task not found",
        "error_code": "not_found",
        "field": None,
    }
    assert body["request_id"] == response.headers["x-request-id"]


def assert_validation_error(response: httpx.Response, field: str | None) -> None:
    """A 422 in the contract's body, naming `field` first."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error_code"] == "validation_error"
    assert body["field"] == field
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["errors"], body
    assert body["errors"][0]["field"] == field
    assert {"field", "message", "error_code"} <= body["errors"][0].keys()
