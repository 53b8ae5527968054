"""Workspaces (API.md §7): the personal one of every user, team ones with members."""

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, delete, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.auth.principal import Principal
from teamnotes.kit import idempotency
from teamnotes.kit.db import insert_ignoring_conflict, utcnow
from teamnotes.kit.errors import Conflict, Forbidden, InvalidToken, PreconditionFailed
from teamnotes.kit.ids import new_id
from teamnotes.kit.pagination import Page, PageParams
from teamnotes.workspaces import gate
from teamnotes.workspaces.gate import Access, WorkspaceNotFound, personal_workspace_id
from teamnotes.workspaces.models import Membership, Workspace
from teamnotes.workspaces.schemas import WorkspaceCreate, WorkspaceRead, WorkspaceUpdate

PERSONAL_NAME = "Personal"

_w = cast(Table, Workspace.__table__).c
_m = cast(Table, Membership.__table__).c


class PersonalWorkspaceFixed(Forbidden):
    detail = "The personal workspace cannot be deleted, nor shared"


class OwnerStillNeeded(Conflict):
    detail = "A workspace keeps at least one owner: make another member an owner first"


def _as_seen_by(user_id: str) -> Any:
    """Workspaces the user belongs to, with their role, as the API shows them."""
    return select(
        _w.id,
        _w.name,
        _w.personal_owner_id.is_not(None).label("personal"),
        _m.role,
        _w.created_at,
        _w.updated_at,
        _w.version,
    ).join_from(Workspace, Membership, and_(_m.workspace_id == _w.id, _m.user_id == user_id))


def _read(row: Any) -> WorkspaceRead:
    return WorkspaceRead.model_validate(row._mapping)


async def create_personal(session: AsyncSession, *, user_id: str) -> None:
    """The user's personal workspace, made once however many requests race to it."""
    now = utcnow()
    workspace_id = personal_workspace_id(user_id)
    await session.execute(
        insert_ignoring_conflict(session, Workspace).values(
            id=workspace_id,
            name=PERSONAL_NAME,
            personal_owner_id=user_id,
            created_at=now,
            updated_at=now,
            version=1,
            change_seq=0,
        )
    )
    await add_member(session, workspace_id, user_id, "owner", now)


async def add_member(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: str, role: str, now: datetime
) -> None:
    """Make the user a member; one who is a member already keeps their role."""
    await session.execute(
        insert_ignoring_conflict(session, Membership).values(
            workspace_id=workspace_id, user_id=user_id, role=role, joined_at=now
        )
    )


async def list_workspaces(
    session: AsyncSession, *, principal: Principal, page: PageParams
) -> Page[WorkspaceRead]:
    """The caller's workspaces: personal first, then by name, then id."""
    statement = _as_seen_by(principal.id).where(*gate.reachable(principal))
    rows = (
        await session.execute(
            statement.add_columns(func.count().over().label("_total"))
            .order_by(_w.personal_owner_id.is_(None), _w.name, _w.id)
            .limit(page.limit)
            .offset(page.offset)
        )
    ).all()
    if not rows and not await gate.is_alive(session, principal.id, key=principal.key):
        raise InvalidToken()
    total = rows[0]._total if rows else 0
    if not rows and page.offset:
        counted = select(func.count()).select_from(statement.subquery())
        total = (await session.execute(counted)).scalar_one()
    return Page(items=[_read(row) for row in rows], total=total, **page.model_dump())


async def hold_account(session: AsyncSession, *, user_id: str) -> None:
    """InvalidToken unless the account lives; held until commit, so that a deletion of
    the account waits for this transaction, or this one finds it deleted."""
    personal = select(_w.id).where(_w.id == personal_workspace_id(user_id)).with_for_update()
    if (await session.execute(personal)).one_or_none() is None:
        raise InvalidToken()


async def create_workspace(
    session: AsyncSession, *, principal: Principal, data: WorkspaceCreate
) -> WorkspaceRead:
    """A team workspace with the caller as its owner."""
    await hold_account(session, user_id=principal.id)
    now, workspace_id = utcnow(), new_id()
    await session.execute(
        insert(Workspace).values(
            id=workspace_id,
            name=data.name,
            created_at=now,
            updated_at=now,
            version=1,
            change_seq=0,
        )
    )
    await add_member(session, workspace_id, principal.id, "owner", now)
    return await get_workspace(session, access=Access(principal, workspace_id, "owner"))


async def get_workspace(session: AsyncSession, *, access: Access) -> WorkspaceRead:
    """A workspace the caller belongs to; WorkspaceNotFound for any other id."""
    statement = _as_seen_by(access.user_id).where(
        _w.id == access.workspace_id, *gate.reachable(access.principal)
    )
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        await gate.explain(session, access.needing("viewer"))
        raise WorkspaceNotFound()
    return _read(row)


async def rename_workspace(
    session: AsyncSession,
    *,
    access: Access,
    data: WorkspaceUpdate,
    expected_version: int | None,
) -> WorkspaceRead:
    """A new name (admins); renaming to the same name changes nothing."""
    conditions = [_w.id == access.workspace_id, _w.name != data.name, *gate.admits(access)]
    if expected_version is not None:
        conditions.append(_w.version == expected_version)
    renamed = await session.execute(
        update(Workspace)
        .where(*conditions)
        .values(name=data.name, updated_at=utcnow(), version=_w.version + 1)
        .returning(_w.id)
    )
    if renamed.one_or_none() is None:
        await gate.explain(session, access)
        current = await get_workspace(session, access=access)
        if expected_version is not None and current.version != expected_version:
            raise PreconditionFailed()
        return current  # already so named
    return await get_workspace(session, access=access)


async def delete_workspace(
    session: AsyncSession, *, access: Access, expected_version: int | None
) -> None:
    """A team workspace with everything in it (owners); never a personal one."""
    conditions = [
        _w.id == access.workspace_id,
        _w.personal_owner_id.is_(None),
        *gate.admits(access),
    ]
    if expected_version is not None:
        conditions.append(_w.version == expected_version)
    deleted = await session.execute(delete(Workspace).where(*conditions).returning(_w.id))
    if deleted.one_or_none() is None:
        current = await get_workspace(session, access=access)  # 404 for non-members
        await gate.explain(session, access)  # 403 below owner
        if current.personal:
            raise PersonalWorkspaceFixed()
        raise PreconditionFailed()
    await idempotency.forget_workspace(session, access.workspace_id)


async def remove_account(session: AsyncSession, *, user_id: str) -> None:
    """What a deleted account leaves behind (API.md §7 Accounts): its personal
    workspace and the team workspaces it is alone in go, its memberships end, and
    what it wrote in the others stays. OwnerStillNeeded while it is the only owner
    of a workspace with other members."""
    mine = select(_m.workspace_id).where(_m.user_id == user_id)
    # Held until commit, in id order as every writer takes them: the account (see
    # hold_account) and the workspaces it belongs to, whose members and owners change
    # only under the same hold (workspaces.members).
    personal = personal_workspace_id(user_id)
    await session.execute(
        select(_w.id)
        .where(or_(_w.id == personal, _w.id.in_(mine)))
        .order_by(_w.id)
        .with_for_update()
    )
    others = select(func.count()).where(_m.workspace_id == _w.id, _m.user_id != user_id)
    owners = select(func.count()).where(_m.workspace_id == _w.id, _m.role == "owner")
    orphaned = await session.execute(
        select(literal(True))
        .where(
            _w.id.in_(mine.where(_m.role == "owner")),
            others.scalar_subquery() > 0,
            owners.scalar_subquery() == 1,
        )
        .limit(1)
    )
    if orphaned.first() is not None:
        raise OwnerStillNeeded()
    alone = select(_w.id).where(_w.id.in_(mine), others.scalar_subquery() == 0)
    await session.execute(delete(Workspace).where(_w.id.in_(alone)))
    await session.execute(delete(Membership).where(_m.user_id == user_id))
    await session.execute(delete(Workspace).where(_w.id == personal))
    await idempotency.forget_user(session, user_id)
