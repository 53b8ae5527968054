"""Every authenticated route, with a read key and with a write key,, generated from the route table.

What a key may do is written twice: as data (`workspaces.policy.KEY_SCOPE`, which
the app applies) and here, as API.md §11 words it (`expected`). Every route must
agree with both, so a new route that forgets its entry fails here, and so does an
entry that lets a key do what the contract forbids. Then both keys are revoked,
and every route must refuse them at once (401), while the process still
remembers them.
"""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from teamnotes.auth.dependencies import current_principal
from teamnotes.workspaces.policy import KEY_SCOPE
from tests.auth.keys import Key, make_key, make_workspace
from tests.factories import token_user

# Bodies that pass validation, so that a refusal can only come from the key.
BODIES: dict[str, dict[str, Any]] = {
    "create_note": {"title": "By a key"},
    "replace_note": {"title": "By a key", "content": ""},
    "update_note": {"title": "By a key"},
    "create_task": {"title": "By a key"},
    "replace_task": {"title": "By a key"},
    "update_task": {"title": "By a key"},
    "move_note": {"workspace_id": str(uuid.uuid4())},
    "move_task": {"workspace_id": str(uuid.uuid4())},
    "create_link": {},
}


def expected(method: str, path: str) -> str | None:
    """API.md §11: the scope a route needs from a key, or None when no key may use it."""
    if path.startswith(("/auth", "/invitations")) or re.search(r"/(webhooks|invitations)", path):
        return None
    if path == "/workspaces" and method == "POST":
        return None
    if path == "/workspaces/{workspace_id}" and method != "GET":
        return None
    if "/members/" in path:
        return None
    return "read" if method == "GET" else "write"


def _authenticates(dependant: Dependant) -> bool:
    return any(
        sub.call is current_principal or _authenticates(sub) for sub in dependant.dependencies
    )


def routes(app: FastAPI) -> Iterator[tuple[str, str, str]]:
    """(method, path, handler name) of every route that authenticates its caller."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and _authenticates(route.dependant):
            for method in sorted(route.methods):
                yield method, context.path, route.endpoint.__name__


def test_the_policy_says_what_the_contract_says(app: FastAPI) -> None:
    seen = list(routes(app))
    assert len(seen) > 60
    for method, path, name in seen:
        assert KEY_SCOPE.get(name) == expected(method, path), (method, path)


async def _call(
    client: httpx.AsyncClient, key: Key, method: str, path: str, name: str, ids: dict[str, str]
) -> httpx.Response:
    url = re.sub(r"\{(\w+)\}", lambda match: ids.get(match[1], str(uuid.uuid4())), path)
    headers = {**key.headers, "Last-Event-ID": "not-a-cursor"}  # a stream answers 422, not forever
    body = BODIES.get(name, {}) if method in ("POST", "PUT", "PATCH") else None
    if name in ("complete_task", "restore_item") or method == "DELETE":
        body = None
    return await client.request(method, url, json=body, headers=headers)


async def test_every_route_with_either_key(client: httpx.AsyncClient, app: FastAPI) -> None:
    user = await token_user(app)
    workspace = await make_workspace(client, user)
    keys = {
        "read": await make_key(client, user, scope="read"),
        "write": await make_key(client, user, scope="write"),
    }
    ids = {"workspace_id": workspace, "user_id": user.id}
    table = list(routes(app))
    for scope, key in keys.items():
        for method, path, name in table:
            response = await _call(client, key, method, path, name, ids)
            needed = expected(method, path)
            allowed = needed == "read" or (needed == "write" and scope == "write")
            where = (scope, method, path, response.status_code, response.text)
            if allowed:
                assert response.status_code not in (401, 403, 500), where
            else:
                assert response.status_code == 403, where
                assert response.json()["error_code"] == "forbidden", where
                detail = (
                    "API keys cannot be used here"
                    if needed is None
                    else "This API key may only read"
                )
                assert response.json()["detail"] == detail, where

    for key in keys.values():
        revoked = await client.delete(f"/auth/api-keys/{key.id}", headers=user.headers)
        assert revoked.status_code == 204
    for key in keys.values():
        for method, path, name in table:
            response = await _call(client, key, method, path, name, ids)
            where = (method, path, response.status_code, response.text)
            assert response.status_code == 401, where
            assert response.json()["error_code"] == "invalid_token", where
