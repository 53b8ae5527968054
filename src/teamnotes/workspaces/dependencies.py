"""Who acts where: the caller, the workspace of the path, the role the route needs."""

from typing import Annotated

from fastapi import Depends, Path, Request

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
