"""Provider users as accounts: made at their first request, ended by `DELETE /auth/me`.

A provider's user has no row of ours until they call; at their first request they
get one (`external_user`, with the token's email and name for member lists) and
their personal workspace, safely however many first requests race (every insert
ignores a conflict). Deleting the account keeps only the id and the time of the
deletion: the provider's tokens issued before it are refused from then on, and a
token issued later starts a new account. That time stays when a new account begins,
so that the old tokens stay refused rather than opening the new account.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.auth.models import ExternalUser
from teamnotes.auth.principal import Principal
from teamnotes.kit.db import Database, insert_ignoring_conflict, utcnow
from teamnotes.kit.errors import InvalidToken
from teamnotes.workspaces import service as workspaces

# How long a process trusts what it last read of a provider user. A token issued after
# that read is checked again at once: it may be the first of a new account. (So for
# this long, a process that read the account before another process deleted it and a
# later token began it anew may still take a token of before the deletion for the
# new account's; the process that deletes it reads it afresh at once.)
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


def live() -> ColumnElement[bool]:
    """The account exists: never deleted, or begun anew since its last deletion."""
    return or_(
        ExternalUser.deleted_at.is_(None), ExternalUser.first_seen_at > ExternalUser.deleted_at
    )


@dataclass(frozen=True, slots=True)
class _Seen:
    at: float  # when this process last read the account (Unix time)
    deleted_at: datetime | None  # its last deletion, as read then


class ExternalAccounts:
    def __init__(self, database: Database) -> None:
        self.database = database
        # user id -> what this process last read of the account, and when
        self._seen: dict[str, _Seen] = {}

    async def admit(self, principal: Principal) -> None:
        """Make the account at first sight; InvalidToken for a token from before its
        deletion."""
        assert principal.external is not None
        seen = self._seen.get(principal.id)
        now = time.time()
        if (
            seen is not None
            and now - seen.at < _SEEN_FOR
            and (principal.issued_at is None or principal.issued_at < seen.at)
        ):
            if seen.deleted_at is not None and _issued_before(principal, seen.deleted_at):
                raise InvalidToken()
            return
        statement = select(
            ExternalUser.email,
            ExternalUser.display_name,
            ExternalUser.deleted_at,
            live().label("live"),
        ).where(ExternalUser.id == principal.id)
        async with self.database.read_session() as reader:
            known = (await reader.execute(statement)).one_or_none()
        deleted = known.deleted_at if known is not None else None
        if deleted is not None and _issued_before(principal, deleted):
            raise InvalidToken()
        identity = principal.external
        seen_as = (identity.email, identity.name)
        if known is None or not known.live or (known.email, known.display_name) != seen_as:
            async with self.database.write_session() as writer, writer.begin():
                await _remember(writer, principal)
        if len(self._seen) >= _SEEN_MAX:
            self._seen.clear()
        self._seen[principal.id] = _Seen(now, deleted)

    def forget(self, user_id: str) -> None:
        """Read the account afresh at its next request (after this process deleted it)."""
        self._seen.pop(user_id, None)


async def _remember(session: AsyncSession, principal: Principal) -> None:
    assert principal.external is not None
    identity, now = principal.external, utcnow()
    await session.execute(
        insert_ignoring_conflict(session, ExternalUser).values(
            id=principal.id, first_seen_at=now, email=identity.email, display_name=identity.name
        )
    )
    account = ExternalUser.id == principal.id
    profile = {"email": identity.email, "display_name": identity.name}
    await session.execute(update(ExternalUser).where(account).values(**profile))
    # Back after a deletion: a new account, begun once however many requests race.
    await session.execute(update(ExternalUser).where(account, ~live()).values(first_seen_at=now))
    await workspaces.create_personal(session, user_id=principal.id)


async def forget_external(session: AsyncSession, principal: Principal) -> None:
    """End a provider user's account: only its id and the time stay."""
    await session.execute(
        update(ExternalUser)
        .where(ExternalUser.id == principal.id)
        .values(email=None, display_name=None, deleted_at=utcnow())
    )
