"""Every route under a workspace, for every role and for a non-member (API.md §7).

The routes come from the app's own route table and the roles from
`teamnotes.workspaces.policy.REQUIRED_ROLE`, the table the access dependencies read:
a route added under `/workspaces/{workspace_id}` is in the matrix at once, and fails
it until it has a role there and a call here. A refusal changes nothing: every row
of the workspaces involved is the same afterwards.
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from teamnotes.app import create_app
from teamnotes.workspaces.dependencies import WorkspaceAccess, check_policy, unguarded_routes
from teamnotes.workspaces.policy import REQUIRED_ROLE
from tests.conftest import make_settings, running_app
from tests.factories import User, access_token, token_user, without_request_id
from tests.workspaces.matrix.calls import CALLS, Call
from tests.workspaces.matrix.expected import FINER, by_rank
from tests.workspaces.matrix.routes import (
    Route,
    collected_routes,
    declared_statuses,
    workspace_routes,
)
from tests.workspaces.matrix.world import BYSTANDERS, CALLERS, make_world, unknown_workspace
from tests.workspaces.support import rows_of

ROUTES = collected_routes()
ERROR_CODES = {403: "forbidden", 404: "not_found", 409: "conflict"}


@pytest.fixture(scope="module")
async def app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    """The app, allowed to call loopback: the webhooks of the matrix's worlds point there."""
    async with running_app(database_url, tmp_path_factory, webhooks_allow_private=True) as made:
        yield made


@pytest.fixture(scope="module")
async def people(app: FastAPI) -> dict[str, User]:
    """One user per caller and bystander; each test makes its own workspaces."""
    return {name: await token_user(app) for name in (*CALLERS, *BYSTANDERS)}


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


class TestRouteTable:
    def test_is_the_apps(self, app: FastAPI) -> None:
        assert workspace_routes(app.routes) == ROUTES
        # The notes, tasks and links operations and the workspace's own, at least.
        assert len(ROUTES) >= 25

    def test_every_route_has_a_required_role(self) -> None:
        missing = [str(route) for route in ROUTES if route.endpoint not in REQUIRED_ROLE]
        assert not missing, f"add these handlers to workspaces/policy.py: {missing}"

    def test_every_route_has_a_call_here(self) -> None:
        missing = [str(route) for route in ROUTES if route.endpoint not in CALLS]
        assert not missing, f"say how to call these in tests/workspaces/matrix/calls.py: {missing}"

    def test_every_finer_rule_names_a_route(self) -> None:
        endpoints = {route.endpoint for route in ROUTES}
        assert {rule.endpoint for rule in FINER} <= endpoints

    def test_the_app_has_no_unguarded_route(self, app: FastAPI) -> None:
        assert unguarded_routes(app.routes) == []

    def test_an_app_with_a_route_missing_from_the_policy_does_not_start(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.delitem(REQUIRED_ROLE, "render_note")
        with pytest.raises(RuntimeError, match="render_note"):
            create_app(make_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path))

    def test_a_route_under_a_workspace_needs_the_workspace_access(self) -> None:
        router = APIRouter(prefix="/workspaces/{workspace_id}")

        async def list_gadgets(access: WorkspaceAccess) -> None:
            """A route no policy names."""

        async def read_gadget(workspace_id: str) -> None:
            """A route that forgot the gate."""

        router.add_api_route("/gadgets", list_gadgets)
        router.add_api_route("/gadgets/{gadget_id}", read_gadget)
        problems = unguarded_routes(router.routes)
        assert len(problems) == 2
        assert "list_gadgets) has no entry" in problems[0]
        assert "read_gadget) does not depend on WorkspaceAccess" in problems[1]
        with pytest.raises(RuntimeError, match="Unguarded"):
            check_policy(router.routes)


async def check(
    app: FastAPI,
    client: httpx.AsyncClient,
    document: dict[str, Any],
    people: dict[str, User],
    route: Route,
    call: Call,
    caller: str,
    expected: int,
) -> None:
    world = await make_world(app, client, people, call)
    watched = (world.workspace, world.target, world.personal)
    before = await rows_of(app, *watched)
    user = people[caller]
    if call.token_lifetime is not None:
        token = access_token(app, user.id, expires_in=call.token_lifetime)
        user = User(user.id, user.email, token)
    body = call.body(world) if call.body else None
    sent: dict[str, Any] = {"json": body, "headers": user.headers}
    if call.raw is not None:
        content, media_type = call.raw
        sent = {"content": content, "headers": {**user.headers, "Content-Type": media_type}}
    response = await client.request(route.method, world.path(route.path, caller), **sent)
    assert response.status_code == expected, (caller, response.text)
    assert expected in declared_statuses(document, route), f"{route} does not declare {expected}"
    after = await rows_of(app, *watched)
    if expected >= 400 or route.method == "GET":
        assert after == before, "a refusal or a read changed rows"
    else:
        assert after != before, "a successful write changed nothing"
    if expected < 400:
        return
    assert response.json()["error_code"] == ERROR_CODES[expected]
    if expected == 404:
        # A workspace one is not a member of answers exactly like one that does not exist.
        unknown = await client.request(
            route.method, world.path(route.path, caller, unknown_workspace()), **sent
        )
        assert unknown.status_code == 404
        assert without_request_id(response.json()) == without_request_id(unknown.json())
        assert response.json()["detail"] == "Workspace not found"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route", ROUTES, ids=str)
async def test_by_role(
    app: FastAPI,
    client: httpx.AsyncClient,
    document: dict[str, Any],
    people: dict[str, User],
    route: Route,
    caller: str,
) -> None:
    if route.endpoint not in REQUIRED_ROLE or route.endpoint not in CALLS:
        pytest.fail(f"{route} has no required role or no call (see TestRouteTable)")
    expected = by_rank(REQUIRED_ROLE[route.endpoint], route.success)[caller]
    await check(app, client, document, people, route, CALLS[route.endpoint], caller, expected)


FINER_CASES = [
    pytest.param(route, rule, caller, id=f"{route}-{rule.scenario}-{caller}")
    for rule in FINER
    for route in ROUTES
    if route.endpoint == rule.endpoint
    for caller in CALLERS
]


@pytest.mark.parametrize(("route", "rule", "caller"), FINER_CASES)
async def test_finer_rules(
    app: FastAPI,
    client: httpx.AsyncClient,
    document: dict[str, Any],
    people: dict[str, User],
    route: Route,
    rule: Any,
    caller: str,
) -> None:
    await check(app, client, document, people, route, rule.call, caller, rule.expected[caller])
