"""Members of a workspace and their roles (API.md §7).

An admin manages editors and viewers; anything touching an admin or an owner needs
an owner; anyone may leave. A workspace always keeps an owner. Changes hold the
workspace's row while they check, so two owners demoting each other at once cannot
leave it with none.
"""

from typing import Any, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.auth.profiles import profiles
from teamnotes.kit.errors import NotFound
from teamnotes.kit.pagination import Page, PageParams
from teamnotes.workspaces import gate
from teamnotes.workspaces.gate import RANK, Access, Role, RoleTooLow, WorkspaceNotFound
from teamnotes.workspaces.models import Membership, Workspace
from teamnotes.workspaces.schemas import MemberRead
from teamnotes.workspaces.service import OwnerStillNeeded

_m = cast(Table, Membership.__table__).c
_w = cast(Table, Workspace.__table__).c
_OWNERS_ONLY = frozenset({"admin", "owner"})


class MemberNotFound(NotFound):
    detail = "Member not found"


async def list_members(
    session: AsyncSession, *, access: Access, page: PageParams
) -> Page[MemberRead]:
    """The workspace's members, by the time they joined, then user id."""
    statement = (
        select(_m.user_id, _m.role, _m.joined_at, func.count().over().label("_total"))
        .where(_m.workspace_id == access.workspace_id, *gate.admits(access))
        .order_by(_m.joined_at, _m.user_id)
        .limit(page.limit)
        .offset(page.offset)
    )
    rows = (await session.execute(statement)).all()
    if not rows:
        await gate.explain(session, access)
    known = await profiles(session, [row.user_id for row in rows])
    items = [_member(row, known.get(row.user_id)) for row in rows]
    total = rows[0]._total if rows else await _count(session, access)
    return Page(items=items, total=total, **page.model_dump())


async def _count(session: AsyncSession, access: Access) -> int:
    statement = select(func.count()).where(_m.workspace_id == access.workspace_id)
    return int((await session.execute(statement)).scalar_one())


def _member(row: Any, profile: Any) -> MemberRead:
    return MemberRead(
        user_id=row.user_id,
        email=profile.email if profile else None,
        display_name=profile.display_name if profile else None,
        role=row.role,
        joined_at=row.joined_at,
    )


async def _hold(session: AsyncSession, access: Access, user_id: str) -> tuple[Role, Role]:
    """The caller's and the member's roles, with the workspace held until commit."""
    held = select(_w.id).where(_w.id == access.workspace_id).with_for_update()
    if (await session.execute(held)).one_or_none() is None:
        raise WorkspaceNotFound()
    await gate.explain(session, access)
    caller = await gate.role_of(session, access.workspace_id, access.user_id)
    member = await gate.role_of(session, access.workspace_id, user_id)
    assert caller is not None  # explain() let the caller through
    if member is None:
        raise MemberNotFound()
    return caller, member


def _check_may_change(caller: Role, member: Role, new: Role | None) -> None:
    """RoleTooLow unless the caller's role covers the member's old and new roles."""
    touched = {member} if new is None else {member, new}
    needed: Role = "owner" if touched & _OWNERS_ONLY else "admin"
    if RANK[caller] < RANK[needed]:
        raise RoleTooLow()


async def _ensure_another_owner(session: AsyncSession, access: Access) -> None:
    owners = select(func.count()).where(_m.workspace_id == access.workspace_id, _m.role == "owner")
    if (await session.execute(owners)).scalar_one() <= 1:
        raise OwnerStillNeeded()


def _member_row(user_id: str, access: Access) -> list[Any]:
    return [_m.workspace_id == access.workspace_id, _m.user_id == user_id]


async def change_role(
    session: AsyncSession, *, access: Access, user_id: str, role: Role
) -> MemberRead:
    """Give a member another role."""
    caller, member = await _hold(session, access, user_id)
    _check_may_change(caller, member, role)
    if member == "owner" and role != "owner":
        await _ensure_another_owner(session, access)
    await session.execute(update(Membership).where(*_member_row(user_id, access)).values(role=role))
    row = (
        await session.execute(
            select(_m.user_id, _m.role, _m.joined_at).where(*_member_row(user_id, access))
        )
    ).one()
    return _member(row, (await profiles(session, [user_id])).get(user_id))


async def remove_member(session: AsyncSession, *, access: Access, user_id: str) -> None:
    """End a membership: leaving, or removing another member."""
    caller, member = await _hold(session, access, user_id)
    if user_id != access.user_id:
        _check_may_change(caller, member, None)
    if member == "owner":
        await _ensure_another_owner(session, access)
    await session.execute(delete(Membership).where(*_member_row(user_id, access)))
    gate.touched(session, access.workspace_id)  # the member's open streams end
