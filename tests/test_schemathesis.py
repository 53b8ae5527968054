"""The whole API against its own OpenAPI document, with every schemathesis check.

schemathesis generates requests for every operation the document declares (its
examples, boundary and malformed values, then random ones), sends them in-process
with a valid bearer token, and runs all its built-in checks on each answer: no
5xx, only documented statuses, headers and content types, bodies matching their
schemas, schema-valid data accepted and invalid data refused, and authentication
enforced (it re-sends without the token and with a forged one).

Generated ids almost never name a row, so on its own every item operation would
only ever answer 404. Half the time, therefore, an id in the path is swapped for a
row the caller has just created (and `{user_id}` for the caller's id), and the
operation is exercised on something that exists.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
import schemathesis.checks
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.python import asgi

from teamnotes.app import create_app
from tests.conftest import make_settings
from tests.factories import PASSWORD, access_token, unique_email

# Checks turned off for one operation, each with the reason the API is right there
# and the check is not: {"POST /notes": {"check_name": "why"}}. Empty: every check
# runs on every operation.
EXCLUDED_CHECKS: dict[str, dict[str, str]] = {}

# Narrower still: checks not held against one documented answer, on any operation.
# {error_code: {check_name: why}}.
EXCUSED_ANSWERS: dict[str, dict[str, str]] = {
    "idempotency_key_reused": {
        "positive_data_acceptance": (
            "Generated Idempotency-Key values repeat across examples with different "
            "bodies (`0` most of all); API.md §1 answers the same key with another body "
            "422 idempotency_key_reused, and the check cannot know the key was used."
        ),
    },
    "precondition_failed": {
        "positive_data_acceptance": (
            "A generated If-Match is a well-formed header naming a version the item is "
            "not at; API.md §1 answers it 412 and changes nothing."
        ),
    },
}

# Path parameters that can name a row of the caller's: where to create one.
CREATED_BY = {"note_id": "/notes", "task_id": "/tasks"}

# The document does not depend on the database: it is read once, at collection, so
# that every operation (whatever routers exist) becomes a test of its own. Building
# the app opens no connection, so this database file is never created.
schema = schemathesis.openapi.from_dict(
    create_app(make_settings("sqlite:///never-opened.db", Path("never-used"))).openapi()
)


@dataclass(frozen=True)
class Caller:
    id: str
    headers: dict[str, str]


@pytest.fixture(scope="session")
def api_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app on each database. schemathesis runs its lifespan in its own event loop."""
    app = create_app(make_settings(database_url, tmp_path_factory.mktemp("schemathesis")))
    try:
        yield app
    finally:
        asgi.shutdown_lifespans()


@pytest.fixture
def caller(api_app: FastAPI) -> Caller:
    """A fresh account for each operation, whose bearer token goes with every request.

    Fresh, because one operation deletes its caller (DELETE /auth/me). The token is
    minted rather than logged in for: the login operation's random passwords soon
    have this client's address throttled (429).
    """
    with asgi.get_client(api_app) as client:
        registered = client.post(
            "/auth/register", json={"email": unique_email(), "password": PASSWORD}
        )
    assert registered.status_code == 201, registered.text
    user_id = registered.json()["id"]
    return Caller(id=user_id, headers={"Authorization": f"Bearer {access_token(api_app, user_id)}"})


def aim_at_existing_rows(
    case: schemathesis.Case, data: st.DataObject, app: FastAPI, caller: Caller
) -> None:
    for name in case.path_parameters:
        if name not in CREATED_BY and name != "user_id":
            continue
        if not data.draw(st.booleans(), label=f"existing {name}"):
            continue
        if name == "user_id":
            case.path_parameters[name] = caller.id
            continue
        with asgi.get_client(app) as client:
            created = client.post(
                CREATED_BY[name], json={"title": "Target"}, headers=caller.headers
            )
        assert created.status_code == 201, created.text
        case.path_parameters[name] = created.json()["id"]


@schema.parametrize()
@schema.given(data=st.data())
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        # Generated bodies can be large and slow to draw; not a failure of the API.
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        # `caller` is one account per operation on purpose, shared by its examples.
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api_conforms_to_its_schema(
    case: schemathesis.Case, data: st.DataObject, api_app: FastAPI, caller: Caller
) -> None:
    aim_at_existing_rows(case, data, api_app, caller)
    response = case.call(app=api_app, headers=caller.headers)
    excluded = {**EXCLUDED_CHECKS.get(case.operation.label, {}), **excused(response)}
    case.validate_response(
        response,
        headers=caller.headers,
        transport_kwargs={"app": api_app, "headers": caller.headers},
        excluded_checks=[getattr(schemathesis.checks, name) for name in excluded],
    )
    if 200 <= response.status_code < 300:
        assert_auth_is_enforced(case, api_app)


# schemathesis's own ignored_auth check probes apiKey and HTTP schemes only, and the
# document declares OAuth2 (password flow, for Swagger UI's Authorize button), so
# that check passes without sending anything. This does what it would do: the
# first accepted request of each protected operation is sent again without the
# token and with a forged one, and must be refused with 401 both times.
_AUTH_PROBED: set[tuple[int, str]] = set()


def assert_auth_is_enforced(case: schemathesis.Case, app: FastAPI) -> None:
    operation = schema.raw_schema["paths"][case.operation.path][case.method.lower()]
    if not operation.get("security") or (id(app), case.operation.label) in _AUTH_PROBED:
        return
    _AUTH_PROBED.add((id(app), case.operation.label))
    for headers, error_code in (
        ({}, "not_authenticated"),
        ({"Authorization": "Bearer forged.not-a.token"}, "invalid_token"),
    ):
        probe = case.call(app=app, headers=headers)
        assert probe.status_code == 401, f"{case.operation.label} with {headers}: {probe.text}"
        assert probe.json()["error_code"] == error_code
        assert probe.headers["www-authenticate"] == ["Bearer"]


def excused(response: schemathesis.Response) -> dict[str, str]:
    if response.status_code < 400 or "json" not in response.headers.get("content-type", [""])[0]:
        return {}
    error_code = response.json().get("error_code")
    return EXCUSED_ANSWERS.get(error_code, {}) if isinstance(error_code, str) else {}
