"""The error body (API.md §1) where no route answers: 404, 405 and 500."""

import logging
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from tests.conventions.support import assert_error_body, client_of, header_set


class TestUnknownRoute:
    @pytest.mark.parametrize("path", ["/nowhere", "/notes/a/b", "/auth", "/api/v1/notes"])
    async def test_is_404_with_the_error_body(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.get(path)
        body = assert_error_body(response, 404, "not_found")
        assert body == {
            "detail": "Not found",
            "error_code": "not_found",
            "field": None,
            "request_id": response.headers["X-Request-ID"],
        }


class TestMethodNotAllowed:
    @pytest.mark.parametrize(
        ("method", "path", "allowed"),
        [
            ("DELETE", "/notes", {"GET", "POST"}),
            ("PUT", "/notes", {"GET", "POST"}),
            (
                "POST",
                "/notes/0190a6a0-0000-7000-8000-000000000000",
                {"GET", "PUT", "PATCH", "DELETE"},
            ),
            ("POST", "/healthz", {"GET"}),
            ("GET", "/auth/token", {"POST"}),
            ("DELETE", "/auth/register", {"POST"}),
        ],
    )
    async def test_is_405_with_every_allowed_method(
        self, client: httpx.AsyncClient, method: str, path: str, allowed: set[str]
    ) -> None:
        response = await client.request(method, path)
        body = assert_error_body(response, 405, "method_not_allowed")
        assert body["detail"] == "Method not allowed"
        answered = {item.upper() for item in header_set(response.headers["Allow"])}
        assert allowed <= answered
        assert method not in answered


class TestInternalError:
    async def test_is_500_with_the_error_body_and_nothing_internal(
        self, make_app: Callable[..., FastAPI]
    ) -> None:
        application = make_app()

        async def explode() -> None:
            raise RuntimeError("boom in /srv/teamnotes/secret.py: password=hunter2")

        application.add_api_route("/explode", explode)
        records: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = records.append  # type: ignore[method-assign]
        errors_log = logging.getLogger("teamnotes.errors")
        errors_log.addHandler(handler)
        try:
            async with client_of(application) as http:
                response = await http.get("/explode", headers={"X-Request-ID": "trace-500"})
        finally:
            errors_log.removeHandler(handler)
        assert response.status_code == 500
        assert response.headers["X-Request-ID"] == "trace-500"
        assert response.json() == {
            "detail": "Internal server error",
            "error_code": "internal_error",
            "field": None,
            "request_id": "trace-500",
        }
        for leak in ("Traceback", "RuntimeError", "hunter2", "secret.py", "/srv"):
            assert leak not in response.text
        # ... while the log has it all, under the same request id.
        logged = [record for record in records if record.exc_info]
        assert len(logged) == 1
        assert logged[0].request_id == "trace-500"  # type: ignore[attr-defined]
        assert isinstance(logged[0].exc_info[1], RuntimeError)  # type: ignore[index]
