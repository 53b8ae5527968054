"""The OpenAPI document declares every error response, with the error body (API.md §1)."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import make_note, token_user

ERROR_FIELDS = {"detail", "error_code", "field", "request_id"}


class TestOpenAPIErrors:
    """Every operation declares the error responses it can give, with the error body."""

    @pytest.fixture
    async def document(self, client: httpx.AsyncClient) -> dict[str, Any]:
        return (await client.get("/openapi.json")).json()  # type: ignore[no-any-return]

    @staticmethod
    def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        for path, item in document["paths"].items():
            for method, operation in item.items():
                yield f"{method.upper()} {path}", operation

    @staticmethod
    def schema_of(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        schema: dict[str, Any] = response["content"]["application/json"]["schema"]
        name = schema["$ref"].removeprefix("#/components/schemas/")
        resolved: dict[str, Any] = document["components"]["schemas"][name]
        return resolved

    def test_every_error_response_has_the_error_body(self, document: dict[str, Any]) -> None:
        for name, operation in self.operations(document):
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                # Errors are JSON whatever the operation's success answers with.
                assert set(response.get("content", {})) == {"application/json"}, (name, status)
                schema = self.schema_of(document, response)
                assert set(schema["properties"]) >= ERROR_FIELDS, (name, status)
                assert ERROR_FIELDS - {"field"} <= set(schema["required"]), (name, status)
                if status == "422":
                    assert "errors" in schema["properties"], name

    def test_every_operation_declares_the_errors_it_can_give(
        self, document: dict[str, Any]
    ) -> None:
        for name, operation in self.operations(document):
            statuses = set(operation["responses"])
            errors = {status for status in statuses if int(status) >= 400}
            if name == "GET /healthz":
                assert not errors  # liveness cannot fail while the process serves
                continue
            assert errors & {"401", "404", "422", "503"}, name
            if operation.get("security"):
                assert "401" in statuses, name
            if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
                assert "404" in statuses, name
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in statuses, name
            if operation.get("requestBody"):
                assert {"413", "415"} <= statuses, name
                if "application/json" in operation["requestBody"]["content"]:
                    assert "400" in statuses, name  # invalid JSON

    def test_no_default_validation_schema_is_left(self, document: dict[str, Any]) -> None:
        assert "HTTPValidationError" not in document["components"]["schemas"]

    async def test_example_note_errors_match_the_declared_schema(
        self, client: httpx.AsyncClient, app: FastAPI, document: dict[str, Any]
    ) -> None:
        # The declared body is the one sent.
        user = await token_user(app)
        note = await make_note(client, user)
        response = await client.put(f"/notes/{note['id']}", json={}, headers=user.headers)
        assert response.status_code == 422
        declared = self.schema_of(
            document, document["paths"]["/notes/{note_id}"]["put"]["responses"]["422"]
        )
        assert set(response.json()) == set(declared["properties"])
