"""Who acts where: the caller, the workspace of the path, the role the route needs."""

from collections.abc import Iterator, Sequence
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute

from teamnotes.auth.dependencies import CurrentPrincipal
from teamnotes.kit.ids import parse_id
from teamnotes.workspaces.gate import (
    Access,
    Role,
    WorkspaceNotFound,
    bound_elsewhere,
    personal_workspace_id,
)
from teamnotes.workspaces.policy import REQUIRED_ROLE


def required_role(request: Request) -> Role:
    return REQUIRED_ROLE[request.scope["route"].endpoint.__name__]


def _within_key(access: Access) -> Access:
    # A key limited to one workspace finds no other (API.md §11), before any statement.
    if bound_elsewhere(access):
        raise WorkspaceNotFound()
    return access


async def personal_access(request: Request, principal: CurrentPrincipal) -> Access:
    """The caller in their personal workspace (`/notes`, `/tasks`)."""
    workspace_id = personal_workspace_id(principal.id)
    return _within_key(Access(principal, workspace_id, required_role(request)))


WorkspaceIdPath = Annotated[
    str, Path(description="The workspace's id; a workspace you are not a member of is 404.")
]


async def workspace_access(
    request: Request, principal: CurrentPrincipal, workspace_id: WorkspaceIdPath
) -> Access:
    """The caller in the workspace of the path (`/workspaces/{workspace_id}/…`)."""
    parsed = parse_id(workspace_id)
    if parsed is None:
        raise WorkspaceNotFound()
    return _within_key(Access(principal, parsed, required_role(request)))


PersonalAccess = Annotated[Access, Depends(personal_access)]
WorkspaceAccess = Annotated[Access, Depends(workspace_access)]


WORKSPACE_PATH = "/workspaces/{workspace_id}"
_ACCESS = (personal_access, workspace_access)


def _calls(dependant: Dependant | None) -> Iterator[Any]:
    for dependency in dependant.dependencies if dependant is not None else ():
        yield dependency.call
        yield from _calls(dependency)


def unguarded_routes(routes: Sequence[BaseRoute]) -> list[str]:
    """Routes the access gate would not guard as `REQUIRED_ROLE` says: under a
    workspace's path without the workspace's access, or with an access but no role."""
    problems = []
    for route in iter_route_contexts(routes):
        path = route.path or ""
        calls = set(_calls(getattr(route, "dependant", None)))
        in_workspace = path == WORKSPACE_PATH or path.startswith(WORKSPACE_PATH + "/")
        name = route.endpoint.__name__ if route.endpoint is not None else ""
        if in_workspace and workspace_access not in calls:
            problems.append(f"{path} ({name}) does not depend on WorkspaceAccess")
        elif calls.intersection(_ACCESS) and name not in REQUIRED_ROLE:
            problems.append(f"{path} ({name}) has no entry in workspaces/policy.py")
    return problems


def check_policy(routes: Sequence[BaseRoute]) -> None:
    """Refuse to start with a route the gate would not guard (see `unguarded_routes`)."""
    problems = unguarded_routes(routes)
    if problems:
        raise RuntimeError("Unguarded workspace routes: " + "; ".join(problems))
