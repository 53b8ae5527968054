"""CORS (API.md §5): the contract's methods and headers, for the configured origins only."""

from collections.abc import Callable

import httpx
from fastapi import FastAPI

from tests.conventions.support import assert_error_body, client_of, header_set
from tests.factories import token_user

ALLOWED_ORIGIN = "http://localhost:3000"
CORS_HEADERS = {
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
    "x-request-id",
}
EXPOSED_HEADERS = {"etag", "location", "x-request-id", "retry-after"}


class TestCORS:
    async def test_preflight_from_the_allowed_origin_permits_the_contracts_methods_and_headers(
        self, client: httpx.AsyncClient
    ) -> None:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            response = await client.options(
                "/notes/0190a6a0-0000-7000-8000-000000000000",
                headers={
                    "Origin": ALLOWED_ORIGIN,
                    "Access-Control-Request-Method": method,
                    "Access-Control-Request-Headers": ", ".join(sorted(CORS_HEADERS)),
                },
            )
            assert response.status_code == 200, response.text
            assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
            assert method.lower() in header_set(response.headers["Access-Control-Allow-Methods"])
            assert header_set(response.headers["Access-Control-Allow-Headers"]) >= CORS_HEADERS

    async def test_responses_to_the_allowed_origin_expose_the_contracts_headers(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user = await token_user(app)
        response = await client.post(
            "/notes", json={"title": "cors"}, headers={**user.headers, "Origin": ALLOWED_ORIGIN}
        )
        assert response.status_code == 201
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
        assert header_set(response.headers["Access-Control-Expose-Headers"]) >= EXPOSED_HEADERS

    async def test_preflight_from_another_origin_is_400_without_allow_origin(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.options(
            "/notes",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert_error_body(response, 400, "bad_request")
        assert "Access-Control-Allow-Origin" not in response.headers

    async def test_preflight_asking_for_another_header_is_400(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.options(
            "/notes",
            headers={
                "Origin": ALLOWED_ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "X-Not-Allowed",
            },
        )
        assert_error_body(response, 400, "bad_request")

    async def test_a_request_from_another_origin_gets_no_allow_origin(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers

    async def test_origins_come_from_settings(self, make_app: Callable[..., FastAPI]) -> None:
        application = make_app(cors_origins="https://app.example, https://admin.example")
        async with client_of(application) as http:
            for origin in ("https://app.example", "https://admin.example"):
                response = await http.get("/healthz", headers={"Origin": origin})
                assert response.headers["Access-Control-Allow-Origin"] == origin
            response = await http.get("/healthz", headers={"Origin": ALLOWED_ORIGIN})
            assert "Access-Control-Allow-Origin" not in response.headers
