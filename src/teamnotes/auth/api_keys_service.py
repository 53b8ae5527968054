"""Making, listing and revoking a user's API keys (API.md §11)."""

from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.auth.api_keys import SHOWN, ApiKey, new_token, token_hash
from teamnotes.auth.api_keys_schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from teamnotes.auth.principal import Principal
from teamnotes.kit.db import utcnow
from teamnotes.kit.errors import Conflict, InvalidToken, NotFound
from teamnotes.kit.ids import new_id, parse_id
from teamnotes.kit.pagination import Page, PageParams
from teamnotes.workspaces import gate
from teamnotes.workspaces.models import Workspace

MOST_KEYS = 100

_k = cast(Table, ApiKey.__table__).c
_w = cast(Table, Workspace.__table__).c
_COLUMNS = (
    _k.id,
    _k.name,
    _k.scope,
    _k.workspace_id,
    _k.prefix,
    _k.created_at,
    _k.expires_at,
    _k.last_used_at,
)


class ApiKeyNotFound(NotFound):
    detail = "API key not found"


class TooManyKeys(Conflict):
    detail = f"You have {MOST_KEYS} API keys: revoke one before making another"


def _read(row: Any) -> ApiKeyRead:
    return ApiKeyRead.model_validate(row._mapping)


async def create_key(
    session: AsyncSession, *, principal: Principal, data: ApiKeyCreate
) -> ApiKeyCreated:
    """A new key of the caller's; its token is in this answer only."""
    # The account's personal workspace row, locked: it serialises the account's key
    # creations (so the cap holds under concurrent requests) and proves the account lives.
    personal = gate.personal_workspace_id(principal.id)
    held = await session.execute(select(_w.id).where(_w.id == personal).with_for_update())
    if held.first() is None:
        raise InvalidToken()
    if data.workspace_id is not None and (
        await gate.role_of(session, data.workspace_id, principal.id) is None
    ):
        raise gate.WorkspaceNotFound()  # as for a move there (API.md §7)
    counted = select(func.count()).where(_k.user_id == principal.id)
    if (await session.execute(counted)).scalar_one() >= MOST_KEYS:
        raise TooManyKeys()
    token = new_token()
    row = (
        await session.execute(
            insert(ApiKey)
            .values(
                id=new_id(),
                user_id=principal.id,
                name=data.name,
                scope=data.scope,
                workspace_id=data.workspace_id,
                token_hash=token_hash(token),
                prefix=token[:SHOWN],
                created_at=utcnow(),
                expires_at=data.expires_at,
            )
            .returning(*_COLUMNS)
        )
    ).one()
    return ApiKeyCreated(**_read(row).model_dump(), token=token)


async def list_keys(
    session: AsyncSession, *, principal: Principal, page: PageParams
) -> Page[ApiKeyRead]:
    """The caller's keys, newest first, without their tokens."""
    statement = select(*_COLUMNS).where(_k.user_id == principal.id)
    rows = (
        await session.execute(
            statement.add_columns(func.count().over().label("_total"))
            .order_by(_k.created_at.desc(), _k.id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
    ).all()
    if not rows and not await gate.is_alive(session, principal.id):
        raise InvalidToken()
    total = rows[0]._total if rows else 0
    if not rows and page.offset:
        counted = select(func.count()).where(_k.user_id == principal.id)
        total = (await session.execute(counted)).scalar_one()
    return Page(items=[_read(row) for row in rows], total=total, **page.model_dump())


async def revoke_key(session: AsyncSession, *, principal: Principal, key_id: str) -> None:
    """The key stops working, on every process at once."""
    revoked = await session.execute(
        delete(ApiKey).where(_k.id == parse_id(key_id), _k.user_id == principal.id).returning(_k.id)
    )
    if revoked.first() is None:
        raise ApiKeyNotFound()


async def forget_user(session: AsyncSession, user_id: str) -> None:
    """A deleted account's keys go with it."""
    await session.execute(delete(ApiKey).where(_k.user_id == user_id))
