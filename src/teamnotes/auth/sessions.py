"""Logins as refresh-token families: rotation, reuse detection, logout (API.md §2).

A login is a family of refresh tokens. Each refresh rotates the presented token
(it stops working) and issues the next one in the family. A rotated token presented
again means it was copied: the whole family is revoked, unless it comes within the
grace window after its rotation, which is two tabs refreshing at the same moment;
those get another pair of the same login. Only SHA-256 hashes of tokens are stored.
"""

import hashlib
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.auth.models import RefreshToken
from teamnotes.auth.schemas import TokenPair
from teamnotes.auth.tokens import TokenIssuer
from teamnotes.kit.db import utcnow
from teamnotes.kit.errors import InvalidToken
from teamnotes.kit.ids import new_id


class RefreshTokenReused(InvalidToken):
    # The revocation of the family must outlive the 401 that reports it.
    keeps_changes = True


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _issue(
    session: AsyncSession,
    issuer: TokenIssuer,
    *,
    user_id: uuid.UUID,
    family_id: uuid.UUID,
    now: datetime,
) -> TokenPair:
    subject, login = str(user_id), str(family_id)
    refresh_token = issuer.refresh_token(subject, session_id=login, now=now)
    session.add(
        RefreshToken(
            id=new_id(),
            token_hash=_hash(refresh_token),
            family_id=family_id,
            user_id=user_id,
            created_at=now,
            expires_at=now + issuer.refresh_ttl,
        )
    )
    await session.flush()
    return TokenPair(
        access_token=issuer.access_token(subject, session_id=login, now=now),
        expires_in=int(issuer.access_ttl.total_seconds()),
        refresh_token=refresh_token,
    )


async def start_login(
    session: AsyncSession, issuer: TokenIssuer, *, user_id: uuid.UUID
) -> TokenPair:
    """A new login: a new family and its first pair of tokens."""
    return await _issue(session, issuer, user_id=user_id, family_id=new_id(), now=utcnow())


async def refresh(
    session: AsyncSession, issuer: TokenIssuer, *, token: str, grace: timedelta
) -> TokenPair:
    """The next pair of the login this refresh token belongs to; InvalidToken otherwise."""
    issuer.check_refresh_token(token)
    now, token_hash = utcnow(), _hash(token)
    rotated = (
        await session.execute(
            update(RefreshToken)
            .where(
                RefreshToken.token_hash == token_hash,
                RefreshToken.rotated_at.is_(None),
                RefreshToken.revoked_at.is_(None),
                RefreshToken.expires_at > now,
            )
            .values(rotated_at=now)
            .returning(RefreshToken.user_id, RefreshToken.family_id)
        )
    ).one_or_none()
    if rotated is not None:
        return await _issue(
            session, issuer, user_id=rotated.user_id, family_id=rotated.family_id, now=now
        )
    row = (
        await session.execute(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise InvalidToken()
    assert row.rotated_at is not None  # the conditional update above missed it for that
    if now - row.rotated_at <= grace:
        return await _issue(session, issuer, user_id=row.user_id, family_id=row.family_id, now=now)
    await _revoke(session, RefreshToken.family_id == row.family_id, now)
    raise RefreshTokenReused()


async def logout(session: AsyncSession, *, token: str) -> None:
    """End the login this refresh token belongs to. Unknown tokens are ignored (RFC 7009)."""
    family_id = (
        await session.execute(
            select(RefreshToken.family_id).where(RefreshToken.token_hash == _hash(token))
        )
    ).scalar_one_or_none()
    if family_id is not None:
        await _revoke(session, RefreshToken.family_id == family_id, utcnow())


async def end_other_logins(
    session: AsyncSession, *, user_id: uuid.UUID, keep_session_id: str | None
) -> None:
    """Revoke every login of the user but the one making this request."""
    condition = RefreshToken.user_id == user_id
    keep = _uuid_or_none(keep_session_id)
    if keep is not None:
        condition = condition & (RefreshToken.family_id != keep)
    await _revoke(session, condition, utcnow())


async def _revoke(session: AsyncSession, condition: object, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(condition, RefreshToken.revoked_at.is_(None))  # type: ignore[arg-type]
        .values(revoked_at=now)
    )


def _uuid_or_none(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None
