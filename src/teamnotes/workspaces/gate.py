"""The access gate: every read and write of a workspace's rows goes through it.

A request acts as an `Access`: a caller, a workspace, and the role its route needs
(`workspaces.policy`). The gate turns that into conditions that ride along in the
statement itself, so checking costs no round trip of its own:

- in the caller's personal workspace nothing more is needed: its id is derived from
  the caller's (`personal_workspace_id`), no one else can be a member, and its rows
  go when the account goes;
- in any other workspace, an `EXISTS` on the caller's membership with a role at
  least the one needed;
- for a caller with an API key, also an `EXISTS` on the key (a revocation holds at
  once), and nothing at all outside the workspace a bound key is limited to.

A foreign id is therefore simply not found. Only when a statement finds nothing does
the gate look closer (`explain`), to tell the caller apart: an account or a key that
no longer exists (401), a workspace they do not belong to (404), a role too low (403), or, when
none of these, the item itself is missing and the caller says so.

Writes start with `begin_write`: one UPDATE of the workspace row that checks the
role, takes the next position of the workspace's change feed, and reads whether the
workspace has webhooks to tell. Its row lock
serialises the workspace's writers until commit, so positions are handed out in
commit order and a feed reader can never see a later one before an earlier one.
"""

import functools
import uuid
from dataclasses import dataclass
from typing import Any, Literal, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Table,
    Update,
    Uuid,
    and_,
    bindparam,
    exists,
    false,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.auth import api_keys
from teamnotes.auth.principal import KeyGrant, Principal
from teamnotes.kit.errors import Forbidden, InvalidToken, NotFound
from teamnotes.workspaces.models import Membership, Workspace

Role = Literal["viewer", "editor", "admin", "owner"]
ROLES: tuple[Role, ...] = ("viewer", "editor", "admin", "owner")
RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}

# Personal workspaces are named after their owner's id, in a namespace of their own.
_PERSONAL = uuid.UUID("6f3c0c1e-64a4-5d0b-9a3e-7e2b1f6d4c21")

_workspace = cast(Table, Workspace.__table__)
_membership = cast(Table, Membership.__table__)


class WorkspaceNotFound(NotFound):
    detail = "Workspace not found"


class RoleTooLow(Forbidden):
    detail = "Your role in this workspace does not allow this"


def personal_workspace_id(user_id: str) -> uuid.UUID:
    """The id of a user's personal workspace, the same on every process and engine."""
    return uuid.uuid5(_PERSONAL, user_id)


def at_least(role: Role) -> tuple[Role, ...]:
    return ROLES[RANK[role] :]


@dataclass(frozen=True, slots=True)
class Access:
    """A caller acting in a workspace with the role a route needs."""

    principal: Principal
    workspace_id: uuid.UUID
    role: Role

    @property
    def user_id(self) -> str:
        return self.principal.id

    @property
    def personal(self) -> bool:
        return self.workspace_id == personal_workspace_id(self.principal.id)

    def needing(self, role: Role) -> "Access":
        return Access(self.principal, self.workspace_id, role)


def is_member(workspace_id: object, user_id: object, role: Role = "viewer") -> ColumnElement[bool]:
    """The caller is a member of the workspace with at least `role`."""
    membership = [_membership.c.workspace_id == workspace_id, _membership.c.user_id == user_id]
    if role != "viewer":  # every member may read
        membership.append(_membership.c.role.in_(at_least(role)))
    return exists().where(*membership)


def admits(access: Access) -> list[ColumnElement[bool]]:
    """What must hold for the caller to act in the workspace with its role."""
    conditions = (
        [] if access.personal else [is_member(access.workspace_id, access.user_id, access.role)]
    )
    key = access.principal.key
    if key is None:
        return conditions
    if bound_elsewhere(access):
        return [false()]
    return [*conditions, api_keys.alive(key.id)]


def bound_elsewhere(access: Access) -> bool:
    """The caller's key is limited to another workspace than this one."""
    key = access.principal.key
    return key is not None and key.workspace_id not in (None, access.workspace_id)


def reachable(principal: Principal) -> list[ColumnElement[bool]]:
    """Conditions on workspace rows: those a caller's key may reach (all, without one)."""
    key = principal.key
    if key is None:
        return []
    conditions = [api_keys.alive(key.id)]
    if key.workspace_id is not None:
        conditions.append(_workspace.c.id == key.workspace_id)
    return conditions


# The caller as parameters, for statements built once per shape of caller (`admitting`,
# `caller_parameters`), named apart from every column: an UPDATE takes a parameter
# named after a column as a value to set.
WORKSPACE: BindParameter[Any] = bindparam("gate_workspace")
_USER: BindParameter[Any] = bindparam("gate_user")
_KEY: BindParameter[Any] = bindparam("gate_key", type_=Uuid)


def admitting(personal: bool, role: Role, keyed: bool) -> list[ColumnElement[bool]]:
    """`admits` for every caller of one shape (in their personal workspace or not, with
    an API key or not), the caller given by `caller_parameters`. A key limited to
    another workspace is no such shape: `bound_elsewhere` tells it first."""
    conditions = [] if personal else [is_member(WORKSPACE, _USER, role)]
    if keyed:
        conditions.append(api_keys.alive(_KEY))
    return conditions


def caller_parameters(access: Access) -> dict[str, Any]:
    """The parameters of the statements `admitting` conditions."""
    key = access.principal.key
    return {
        WORKSPACE.key: access.workspace_id,
        _USER.key: access.user_id,
        _KEY.key: key.id if key else None,
    }


@functools.cache
def _begin_write(personal: bool, role: Role, keyed: bool) -> Update:
    """The UPDATE that begins a write, for one shape of caller, built once: SQLAlchemy
    then reuses its cache key and compiled form instead of making both per write."""
    workspace = _workspace.c
    return (
        update(_workspace)
        .where(workspace.id == WORKSPACE, *admitting(personal, role, keyed))
        .values(change_seq=workspace.change_seq + 1)
        .returning(workspace.change_seq, workspace.has_webhooks)
    )


async def begin_write(session: AsyncSession, access: Access) -> int:
    """Check the role for a write and take the workspace's next feed position."""
    row = None
    if not bound_elsewhere(access):
        keyed = access.principal.key is not None
        statement = _begin_write(access.personal, access.role, keyed)
        row = (await session.execute(statement, caller_parameters(access))).one_or_none()
    if row is None:
        await explain(session, access)
        raise WorkspaceNotFound()  # gone since: deleted by a concurrent request
    touched(session, access.workspace_id)
    if row.has_webhooks:
        session.info.setdefault(WITH_WEBHOOKS, set()).add(access.workspace_id)
    return int(row.change_seq)


def touched(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    """Note that this transaction changed the workspace (its items or its people), so
    that its live streams look again once it commits (teamnotes.changes.wakeups)."""
    session.info.setdefault(TOUCHED, set()).add(workspace_id)


TOUCHED = "touched_workspaces"
WITH_WEBHOOKS = "workspaces_with_webhooks"
"""The workspaces this transaction writes that may have webhooks (read with the
write's own lock, so no extra statement): the others need no outbox statement."""


async def explain(session: AsyncSession, access: Access) -> None:
    """Raise why a gated statement found nothing; return if the caller may act."""
    key = access.principal.key
    if key is not None:
        if not await api_keys.is_alive(session, key.id):
            raise InvalidToken()  # revoked, or gone with its account or workspace
        if bound_elsewhere(access):
            raise WorkspaceNotFound()
    role = await role_of(session, access.workspace_id, access.user_id)
    if role is None:
        if not await is_alive(session, access.user_id):
            raise InvalidToken()  # the account was deleted; its tokens go with it
        raise WorkspaceNotFound()
    if RANK[role] < RANK[access.role]:
        raise RoleTooLow()


async def role_of(session: AsyncSession, workspace_id: uuid.UUID, user_id: str) -> Role | None:
    statement = select(_membership.c.role).where(
        _membership.c.workspace_id == workspace_id, _membership.c.user_id == user_id
    )
    return cast(Role | None, (await session.execute(statement)).scalar_one_or_none())


async def is_alive(session: AsyncSession, user_id: str, *, key: KeyGrant | None = None) -> bool:
    """An account lives exactly as long as its personal workspace; a key, its row."""
    if key is not None and not await api_keys.is_alive(session, key.id):
        return False
    statement = select(literal(True)).where(and_(_workspace.c.id == personal_workspace_id(user_id)))
    return (await session.execute(statement)).scalar_one_or_none() is not None
