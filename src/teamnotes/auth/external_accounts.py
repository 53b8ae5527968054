"""Provider users as accounts: made at their first request, ended by `DELETE /auth/me`.

A provider's user has no row of ours until they call; at their first request they
get one (`external_user`, with the token's email and name for member lists) and
their personal workspace, safely however many first requests race (every insert
ignores a conflict). Deleting the account keeps only the id and the time of the
deletion: the provider's tokens issued before it are refused from then on, and a
token issued later starts a new account.
"""

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.auth.models import ExternalUser
from teamnotes.auth.principal import Principal
from teamnotes.kit.db import Database, insert_ignoring_conflict, utcnow
from teamnotes.kit.errors import InvalidToken
from teamnotes.workspaces import service as workspaces

# How long a process trusts what it last read of a provider user. A token issued after
# that read is checked again at once: it may be the first of a new account.
_SEEN_FOR = 60.0
_SEEN_MAX = 10_000
# A token without `iat` counts as issued before a deletion if it expires within
# this long after it: providers' access tokens live far less.
_UNDATED_TOKEN_LIFETIME = timedelta(days=1)


def _issued_before(principal: Principal, moment: datetime) -> bool:
    if principal.issued_at is not None:
        return datetime.fromtimestamp(principal.issued_at, UTC) <= moment
    assert principal.external is not None
    expires = datetime.fromtimestamp(principal.external.expires_at, UTC)
    return expires <= moment + _UNDATED_TOKEN_LIFETIME


class ExternalAccounts:
    def __init__(self, database: Database) -> None:
        self.database = database
        # user id -> when this process last found the account alive (Unix time)
        self._seen: dict[str, float] = {}

    async def admit(self, principal: Principal) -> None:
        """Make the account at first sight; InvalidToken for a deleted one."""
        assert principal.external is not None
        checked = self._seen.get(principal.id)
        now = time.time()
        if (
            checked is not None
            and now - checked < _SEEN_FOR
            and (principal.issued_at is None or principal.issued_at < checked)
        ):
            return
        statement = select(
            ExternalUser.email, ExternalUser.display_name, ExternalUser.deleted_at
        ).where(ExternalUser.id == principal.id)
        async with self.database.read_session() as reader:
            known = (await reader.execute(statement)).one_or_none()
        deleted = known.deleted_at if known is not None else None
        if deleted is not None and _issued_before(principal, deleted):
            raise InvalidToken()
        identity = principal.external
        seen_as = (identity.email, identity.name)
        if known is None or deleted is not None or (known.email, known.display_name) != seen_as:
            async with self.database.write_session() as writer, writer.begin():
                await _remember(writer, principal, anew=deleted is not None)
        if len(self._seen) >= _SEEN_MAX:
            self._seen.clear()
        self._seen[principal.id] = now


async def _remember(session: AsyncSession, principal: Principal, *, anew: bool) -> None:
    assert principal.external is not None
    identity, now = principal.external, utcnow()
    await session.execute(
        insert_ignoring_conflict(session, ExternalUser).values(
            id=principal.id, first_seen_at=now, email=identity.email, display_name=identity.name
        )
    )
    values: dict[str, object] = {"email": identity.email, "display_name": identity.name}
    if anew:  # back after a deletion: a new account
        values |= {"first_seen_at": now, "deleted_at": None}
    await session.execute(
        update(ExternalUser).where(ExternalUser.id == principal.id).values(**values)
    )
    await workspaces.create_personal(session, user_id=principal.id)


async def forget_external(session: AsyncSession, principal: Principal) -> None:
    """End a provider user's account: only its id and the time stay."""
    await session.execute(
        update(ExternalUser)
        .where(ExternalUser.id == principal.id)
        .values(email=None, display_name=None, deleted_at=utcnow())
    )
