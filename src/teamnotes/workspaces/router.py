"""The workspaces routes (API.md §7): workspaces, members, invitations."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status

from teamnotes.auth.dependencies import CurrentPrincipal
from teamnotes.kit.conditional import (
    ETAG_HEADER,
    IfMatch,
    IfNoneMatch,
    etag,
    expected_version,
    not_modified,
)
from teamnotes.kit.db import SessionDep
from teamnotes.kit.errors import error_responses
from teamnotes.kit.pagination import Page, PageDep
from teamnotes.kit.routing import JSONRoute
from teamnotes.workspaces import invitations, members, service
from teamnotes.workspaces.dependencies import WorkspaceAccess
from teamnotes.workspaces.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationRead,
    MemberRead,
    MemberUpdate,
    WorkspaceCreate,
    WorkspaceRead,
    WorkspaceUpdate,
)

router = APIRouter(tags=["workspaces"], route_class=JSONRoute, responses=error_responses(401, 422))

MemberId = Annotated[str, Path(description="The member's user id.")]
InvitationId = Annotated[str, Path(description="The invitation's id.")]
_ONE: dict[int | str, dict[str, Any]] = {200: {"headers": ETAG_HEADER}}
_IN_WORKSPACE = error_responses(403, 404)
_WRITE = error_responses(400, 403, 404, 409, 412, 413, 415)


@router.get("/workspaces")
async def list_workspaces(
    session: SessionDep, principal: CurrentPrincipal, page: PageDep
) -> Page[WorkspaceRead]:
    """Your workspaces: the personal one first, then by name."""
    return await service.list_workspaces(session, principal=principal, page=page)


@router.post(
    "/workspaces",
    status_code=status.HTTP_201_CREATED,
    responses={
        201: {
            "headers": {
                **ETAG_HEADER,
                "Location": {
                    "description": "The new workspace's URL.",
                    "required": True,
                    "schema": {"type": "string", "pattern": "^/workspaces/[0-9a-f-]{36}$"},
                },
            }
        },
        **error_responses(400, 413, 415),
    },
)
async def create_workspace(
    session: SessionDep, principal: CurrentPrincipal, data: WorkspaceCreate, response: Response
) -> WorkspaceRead:
    """Create a team workspace; you are its owner."""
    workspace = await service.create_workspace(session, principal=principal, data=data)
    response.headers["Location"] = f"/workspaces/{workspace.id}"
    response.headers["ETag"] = etag(workspace.version)
    return workspace


@router.get(
    "/workspaces/{workspace_id}",
    responses={
        **_ONE,
        304: {"description": "Not modified", "headers": ETAG_HEADER},
        **error_responses(404),
    },
)
async def read_workspace(
    session: SessionDep,
    access: WorkspaceAccess,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> WorkspaceRead:
    """Read a workspace, with your role in it."""
    workspace = await service.get_workspace(session, access=access)
    if cached := not_modified(if_none_match, workspace.version):
        return cached  # type: ignore[return-value]
    response.headers["ETag"] = etag(workspace.version)
    return workspace


@router.patch("/workspaces/{workspace_id}", responses={**_ONE, **_WRITE})
async def update_workspace(
    session: SessionDep,
    access: WorkspaceAccess,
    data: WorkspaceUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> WorkspaceRead:
    """Rename a workspace (admins)."""
    workspace = await service.rename_workspace(
        session, access=access, data=data, expected_version=expected_version(if_match)
    )
    response.headers["ETag"] = etag(workspace.version)
    return workspace


@router.delete(
    "/workspaces/{workspace_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 404, 412),
)
async def delete_workspace(
    session: SessionDep, access: WorkspaceAccess, if_match: IfMatch = None
) -> None:
    """Delete a team workspace with everything in it (owners)."""
    await service.delete_workspace(
        session, access=access, expected_version=expected_version(if_match)
    )


@router.get("/workspaces/{workspace_id}/members", responses=error_responses(404))
async def list_members(
    session: SessionDep, access: WorkspaceAccess, page: PageDep
) -> Page[MemberRead]:
    """The workspace's members, by the time they joined."""
    return await members.list_members(session, access=access, page=page)


@router.patch("/workspaces/{workspace_id}/members/{user_id}", responses=_WRITE)
async def update_member(
    session: SessionDep, access: WorkspaceAccess, user_id: MemberId, data: MemberUpdate
) -> MemberRead:
    """Change a member's role (admins for editors and viewers, owners for the rest)."""
    return await members.change_role(session, access=access, user_id=user_id, role=data.role)


@router.delete(
    "/workspaces/{workspace_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 404, 409),
)
async def remove_member(session: SessionDep, access: WorkspaceAccess, user_id: MemberId) -> None:
    """Remove a member, or leave the workspace (your own user id)."""
    await members.remove_member(session, access=access, user_id=user_id)


@router.post(
    "/workspaces/{workspace_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE,
)
async def create_invitation(
    request: Request, session: SessionDep, access: WorkspaceAccess, data: InvitationCreate
) -> InvitationCreated:
    """Invite someone (admins; only owners invite admins and owners)."""
    ttl = request.app.state.invitation_ttl
    return await invitations.create_invitation(session, access=access, data=data, ttl=ttl)


@router.get("/workspaces/{workspace_id}/invitations", responses=_IN_WORKSPACE)
async def list_invitations(
    session: SessionDep, access: WorkspaceAccess, page: PageDep
) -> Page[InvitationRead]:
    """The pending invitations, newest first (admins)."""
    return await invitations.list_invitations(session, access=access, page=page)


@router.delete(
    "/workspaces/{workspace_id}/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_IN_WORKSPACE,
)
async def revoke_invitation(
    session: SessionDep, access: WorkspaceAccess, invitation_id: InvitationId
) -> None:
    """Revoke an invitation (admins): it stops working."""
    await invitations.revoke_invitation(session, access=access, invitation_id=invitation_id)


@router.post("/invitations/accept", responses=error_responses(400, 404, 413, 415))
async def accept_invitation(
    session: SessionDep, principal: CurrentPrincipal, data: InvitationAccept
) -> WorkspaceRead:
    """Accept an invitation: join its workspace."""
    return await invitations.accept_invitation(session, principal=principal, token=data.token)
