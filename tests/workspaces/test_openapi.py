"""The OpenAPI document declares what the routes under a workspace can answer."""

from typing import Any

import pytest
from fastapi import FastAPI

from teamnotes.workspaces.gate import RANK
from teamnotes.workspaces.policy import REQUIRED_ROLE
from tests.workspaces.matrix.expected import FINER
from tests.workspaces.matrix.routes import collected_routes, declared_statuses

ROUTES = collected_routes()
# Where the last owner is at stake (API.md §7): demoting, removing, leaving.
CONFLICTS = {"update_member", "remove_member"}


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def headers_of(document: dict[str, Any], route: Any) -> set[str]:
    operation = document["paths"][route.path][route.method.lower()]
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_route_declares_its_refusals(document: dict[str, Any], route: Any) -> None:
    declared = declared_statuses(document, route)
    assert {401, 404} <= declared
    finer = {rule.endpoint for rule in FINER if 403 in rule.expected.values()}
    if RANK[REQUIRED_ROLE[route.endpoint]] > RANK["viewer"] or route.endpoint in finer:
        assert 403 in declared
    if "If-Match" in headers_of(document, route):
        assert 412 in declared
    if route.endpoint in CONFLICTS:
        assert 409 in declared
