"""Invitations to a workspace (API.md §7): a token handed on, good for one acceptance.

Only the token's SHA-256 is stored. Accepting deletes the invitation in the same
statement that reads it, so of two concurrent acceptances exactly one finds it.
"""

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.auth.principal import Principal
from teamnotes.auth.profiles import email_of
from teamnotes.kit.db import utcnow
from teamnotes.kit.errors import NotFound
from teamnotes.kit.ids import new_id, parse_id
from teamnotes.kit.pagination import Page, PageParams
from teamnotes.workspaces import gate
from teamnotes.workspaces.gate import RANK, Access, RoleTooLow
from teamnotes.workspaces.models import Invitation
from teamnotes.workspaces.schemas import (
    InvitationCreate,
    InvitationCreated,
    InvitationRead,
    WorkspaceRead,
)
from teamnotes.workspaces.service import (
    PersonalWorkspaceFixed,
    add_member,
    get_workspace,
    hold_account,
)

_i = cast(Table, Invitation.__table__).c
_COLUMNS = [_i.id, _i.workspace_id, _i.email, _i.role, _i.invited_by, _i.created_at, _i.expires_at]


class InvitationNotFound(NotFound):
    detail = "Invitation not found"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_invitation(
    session: AsyncSession, *, access: Access, data: InvitationCreate, ttl: timedelta
) -> InvitationCreated:
    """A new invitation (admins; an admin or owner role only by an owner)."""
    await gate.explain(session, access)
    if access.personal:
        raise PersonalWorkspaceFixed()
    if data.role in ("admin", "owner"):
        caller = await gate.role_of(session, access.workspace_id, access.user_id)
        if caller is None or RANK[caller] < RANK["owner"]:
            raise RoleTooLow()
    token, now = secrets.token_urlsafe(32), utcnow()
    row = (
        await session.execute(
            insert(Invitation)
            .values(
                id=new_id(),
                workspace_id=access.workspace_id,
                email=data.email,
                role=data.role,
                token_hash=_hash(token),
                invited_by=access.user_id,
                created_at=now,
                expires_at=now + ttl,
            )
            .returning(*_COLUMNS)
        )
    ).one()
    return InvitationCreated(**row._mapping, token=token)


async def list_invitations(
    session: AsyncSession, *, access: Access, page: PageParams
) -> Page[InvitationRead]:
    """The workspace's pending invitations, newest first."""
    await gate.explain(session, access)
    pending = [_i.workspace_id == access.workspace_id, _i.expires_at > utcnow()]
    rows = (
        await session.execute(
            select(*_COLUMNS, func.count().over().label("_total"))
            .where(*pending)
            .order_by(_i.created_at.desc(), _i.id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
    ).all()
    total = rows[0]._total if rows else 0
    if not rows and page.offset:
        counted = select(func.count()).where(*pending)
        total = (await session.execute(counted)).scalar_one()
    return Page(items=[_read(row) for row in rows], total=total, **page.model_dump())


def _read(row: Any) -> InvitationRead:
    return InvitationRead.model_validate(row._mapping)


async def revoke_invitation(session: AsyncSession, *, access: Access, invitation_id: str) -> None:
    """The invitation stops working."""
    await gate.explain(session, access)
    key = parse_id(invitation_id)
    revoked = await session.execute(
        delete(Invitation)
        .where(_i.id == key, _i.workspace_id == access.workspace_id)
        .returning(_i.id)
    )
    if key is None or revoked.one_or_none() is None:
        raise InvitationNotFound()


async def accept_invitation(
    session: AsyncSession, *, principal: Principal, token: str
) -> WorkspaceRead:
    """Join the invitation's workspace; a member already keeps their role."""
    await hold_account(session, user_id=principal.id)
    email = (
        principal.external.email if principal.external else await email_of(session, principal.id)
    )
    addressed: ColumnElement[bool] = _i.email.is_(None)
    if email:
        addressed = or_(addressed, func.lower(_i.email) == email.lower())
    accepted = (
        await session.execute(
            delete(Invitation)
            .where(_i.token_hash == _hash(token), _i.expires_at > utcnow(), addressed)
            .returning(_i.workspace_id, _i.role)
        )
    ).one_or_none()
    if accepted is None:
        raise InvitationNotFound()
    workspace_id: uuid.UUID = accepted.workspace_id
    await add_member(session, workspace_id, principal.id, accepted.role, utcnow())
    return await get_workspace(session, access=Access(principal, workspace_id, "viewer"))
