"""The whole API against its own OpenAPI document, with every schemathesis check.

schemathesis generates requests for every operation the document declares (its
examples, boundary and malformed values, then random ones), sends them in-process
with a valid bearer token, and runs all its built-in checks on each answer: no
5xx, only documented statuses, headers and content types, bodies matching their
schemas, schema-valid data accepted and invalid data refused, and authentication
enforced (it re-sends without the token and with a forged one).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
import schemathesis.checks
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.python import asgi

from teamnotes.app import create_app
from tests.conftest import make_settings
from tests.factories import PASSWORD, unique_email

# Checks turned off for one operation, each with the reason the API is right there
# and the check is not: {"POST /notes": {"check_name": "why"}}. Empty: every check
# runs on every operation.
EXCLUDED_CHECKS: dict[str, dict[str, str]] = {}

# Checks turned off for one kind of answer only, on any operation: {error_code: {check: why}}.
EXCUSED_ANSWERS: dict[str, dict[str, str]] = {
    "idempotency_key_reused": {
        "positive_data_acceptance": (
            "Generated Idempotency-Key values repeat across examples with different "
            "bodies (`0` most of all), and API.md §1 answers the same key with another "
            "body 422 idempotency_key_reused: the check cannot know the key was used."
        ),
    },
}

# The document does not depend on the database: it is read once, at collection, so
# that every operation (whatever routers exist) becomes a test of its own. Building
# the app opens no connection, so this database file is never created.
schema = schemathesis.openapi.from_dict(
    create_app(make_settings("sqlite:///never-opened.db", Path("never-used"))).openapi()
)


@pytest.fixture(scope="session")
def api_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app on each database. schemathesis runs its lifespan in its own event loop."""
    app = create_app(make_settings(database_url, tmp_path_factory.mktemp("schemathesis")))
    try:
        yield app
    finally:
        asgi.shutdown_lifespans()


@pytest.fixture(scope="session")
def auth_headers(api_app: FastAPI) -> dict[str, str]:
    """A freshly registered user's bearer token, sent with every generated request."""
    email = unique_email()
    with asgi.get_client(api_app) as client:
        registered = client.post("/auth/register", json={"email": email, "password": PASSWORD})
        assert registered.status_code == 201, registered.text
        login = client.post("/auth/token", data={"username": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    # Generated bodies can be large and slow to draw; that is not a failure of the API.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
def test_api_conforms_to_its_schema(
    case: schemathesis.Case, api_app: FastAPI, auth_headers: dict[str, str]
) -> None:
    response = case.call(app=api_app, headers=auth_headers)
    excluded = {**EXCLUDED_CHECKS.get(case.operation.label, {}), **_excused(response)}
    case.validate_response(
        response,
        headers=auth_headers,
        transport_kwargs={"app": api_app, "headers": auth_headers},
        excluded_checks=[getattr(schemathesis.checks, name) for name in excluded],
    )


def _excused(response: schemathesis.Response) -> dict[str, str]:
    if response.status_code < 400 or "json" not in response.headers.get("content-type", [""])[0]:
        return {}
    error_code = response.json().get("error_code")
    return EXCUSED_ANSWERS.get(error_code, {}) if isinstance(error_code, str) else {}
