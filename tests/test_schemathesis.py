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
from typing import Any

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

# Checks not held against a request whose 422 names one of these field errors.
EXCUSED_FIELD_ERRORS: dict[str, dict[str, str]] = {
    "invalid_cursor": {
        "positive_data_acceptance": (
            "A feed cursor is opaque (API.md §8): only one the feed handed out is valid, "
            "and a generated string almost never is one."
        ),
    },
    "past_timestamp": {
        "positive_data_acceptance": (
            "An expiry must be in the future (API.md §7, §11); a generated timestamp is "
            "mostly past, which no JSON schema can say."
        ),
    },
}

# Items the caller can own, by path parameter: the collection they are made in.
COLLECTIONS = {"note_id": "notes", "task_id": "tasks"}

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
    workspace_id: str


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
    """A fresh account for each operation, whose bearer token goes with every request,
    and a team workspace of theirs.

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
        headers = {"Authorization": f"Bearer {access_token(api_app, user_id)}"}
        team = client.post("/workspaces", json={"name": "Team"}, headers=headers)
        assert team.status_code == 201, team.text
    return Caller(id=user_id, headers=headers, workspace_id=team.json()["id"])


def aim_at_existing_rows(
    case: schemathesis.Case, data: st.DataObject, app: FastAPI, caller: Caller
) -> None:
    """Swap generated path parameters for rows of the caller's, half the time each."""
    parameters = case.path_parameters
    if not parameters:
        return
    with asgi.get_client(app) as client:
        made = Made(client, caller)
        if "workspace_id" in parameters and data.draw(st.booleans(), label="own workspace"):
            parameters["workspace_id"] = caller.workspace_id
        base = f"/workspaces/{parameters['workspace_id']}" if "workspace_id" in parameters else ""
        for name in list(parameters):
            if name in ("workspace_id",) or not data.draw(st.booleans(), label=f"existing {name}"):
                continue
            if name == "user_id":
                parameters[name] = caller.id
            elif name in COLLECTIONS:
                parameters[name] = made.item(f"{base}/{COLLECTIONS[name]}")
            elif name == "invitation_id":
                parameters[name] = made.invitation(caller.workspace_id)
            elif name in ("link_id", "token"):
                link = made.link(
                    f"{base}/notes/{parameters.get('note_id') or made.item(f'{base}/notes')}"
                )
                parameters[name] = link["id" if name == "link_id" else "token"]


@dataclass
class Made:
    """Rows made for an operation to act on, through the API itself."""

    client: Any
    caller: Caller

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(path, json=body, headers=self.caller.headers)
        # A generated workspace id is not the caller's: nothing can be made there.
        if response.status_code == 404:
            return {"id": "00000000-0000-7000-8000-000000000000", "token": "unknown"}
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    def item(self, collection: str) -> str:
        return str(self.post(collection, {"title": "Target"})["id"])

    def invitation(self, workspace_id: str) -> str:
        return str(self.post(f"/workspaces/{workspace_id}/invitations", {"role": "viewer"})["id"])

    def link(self, note: str) -> dict[str, Any]:
        return self.post(f"{note}/links", {})


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
    excluded = {**EXCLUDED_CHECKS.get(case.operation.label, {}), **excused(case, response)}
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


def excused(case: schemathesis.Case, response: schemathesis.Response) -> dict[str, str]:
    found = {}
    if trimmed_fields(case.body):
        found["negative_data_rejection"] = (
            "Titles and names are trimmed before their length is checked (API.md §1): "
            "one over its maxLength only by surrounding whitespace is valid."
        )
    if response.status_code < 400 or "json" not in response.headers.get("content-type", [""])[0]:
        return found
    body = response.json()
    error_code = body.get("error_code")
    found |= EXCUSED_ANSWERS.get(error_code, {}) if isinstance(error_code, str) else {}
    for error in body.get("errors") or []:
        found |= EXCUSED_FIELD_ERRORS.get(error.get("error_code"), {})
    return found


def trimmed_fields(body: object) -> bool:
    """Whether a JSON body has a string field with whitespace around it."""
    if not isinstance(body, dict):
        return False
    return any(isinstance(value, str) and value != value.strip() for value in body.values())
