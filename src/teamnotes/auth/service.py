"""Accounts: registration, password login, the caller's profile, account deletion."""

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.auth import api_keys_service, sessions
from teamnotes.auth.external_accounts import forget_external, live
from teamnotes.auth.models import ExternalUser, RefreshToken, User
from teamnotes.auth.passwords import dummy_hash, hash_password, verify_password
from teamnotes.auth.principal import Principal
from teamnotes.auth.schemas import TokenPair, UserCreate, UserRead, UserUpdate
from teamnotes.auth.throttle import FailureStore, Reservation, ThrottleKey, throttle_keys
from teamnotes.auth.tokens import TokenIssuer
from teamnotes.kit.db import utcnow
from teamnotes.kit.errors import AppError, EmailTaken, Forbidden, InvalidCredentials, InvalidToken
from teamnotes.kit.ids import new_id, parse_id
from teamnotes.workspaces import service as workspaces

_READ_COLUMNS = (User.id, User.email, User.display_name, User.created_at)


class CurrentPasswordRejected(AppError):
    status_code = 403
    error_code = "invalid_credentials"
    detail = "current_password is missing or wrong"


def _read(row: Any) -> UserRead:
    return UserRead(
        id=str(row.id), email=row.email, display_name=row.display_name, created_at=row.created_at
    )


async def register(session: AsyncSession, *, data: UserCreate) -> UserRead:
    """Create a local account; EmailTaken when the address is registered already."""
    # Hash before the first statement: on SQLite the write lock is taken by that
    # statement, and other writers should not wait out the hashing.
    password_hash = await hash_password(data.password)
    now = utcnow()
    statement = (
        insert(User)
        .values(
            id=new_id(),
            email=data.email,
            display_name=data.display_name,
            password_hash=password_hash,
            created_at=now,
            updated_at=now,
        )
        .returning(*_READ_COLUMNS)
    )
    try:
        row = (await session.execute(statement)).one()
    except IntegrityError as error:
        raise EmailTaken(field="email") from error
    await workspaces.create_personal(session, user_id=str(row.id))
    return _read(row)


async def _check_password(
    reader: AsyncSession,
    *,
    store: FailureStore,
    keys: list[ThrottleKey],
    password_hash: str | None,
    password: str | None,
    rejected: type[AppError],
) -> Reservation:
    """Verify a password under throttling: its failure is reserved first (RateLimited
    when a key is full), and left standing when `rejected` is raised.

    A missing account verifies against a dummy hash, so that both failures cost the
    same argon2 work and answer alike. The caller releases the returned reservation
    in its writing transaction.
    """
    # Done reading: give the connection back before the reservation takes a writer
    # and before the slow hash. On PostgreSQL both come from one pool, and requests
    # that each held a reader while waiting for a writer could take every connection
    # and wait forever. The reservation commits on a connection of its own, which it
    # gives back before the hash; the request's writer is not touched yet.
    await reader.close()
    reservation = await store.reserve(keys)
    verified = password is not None and await verify_password(
        password_hash or dummy_hash(), password
    )
    if not verified or password_hash is None:
        raise rejected()
    return reservation


async def login(
    reader: AsyncSession,
    writer: AsyncSession,
    *,
    issuer: TokenIssuer,
    store: FailureStore,
    email: str,
    password: str,
    address: str,
) -> TokenPair:
    """A new login for these credentials; InvalidCredentials (401) or RateLimited (429).

    The password is checked between the reading and the writing session, so on
    SQLite no writer waits for the hashing.
    """
    statement = select(User.id, User.password_hash).where(User.email == email)
    row = (await reader.execute(statement)).one_or_none()
    reservation = await _check_password(
        reader,
        store=store,
        keys=throttle_keys(email, address),
        password_hash=row.password_hash if row else None,
        password=password,
        rejected=InvalidCredentials,
    )
    assert row is not None
    await reservation.release(writer)
    return await sessions.start_login(writer, issuer, user_id=row.id)


async def read_me(session: AsyncSession, *, principal: Principal) -> UserRead:
    """The caller's profile: the local account, or what the provider's token says."""
    if principal.external is not None:
        return await _external_profile(session, principal)
    user_id = parse_id(principal.id)
    row = None
    if user_id is not None:
        statement = select(*_READ_COLUMNS).where(User.id == user_id)
        row = (await session.execute(statement)).one_or_none()
    if row is None:
        raise InvalidToken()  # a valid signature for an account that no longer exists
    return _read(row)


async def _external_profile(reader: AsyncSession, principal: Principal) -> UserRead:
    assert principal.external is not None
    statement = select(ExternalUser.first_seen_at).where(ExternalUser.id == principal.id, live())
    first_seen = (await reader.execute(statement)).scalar_one_or_none()
    if first_seen is None:
        raise InvalidToken()  # deleted since this request was admitted
    return UserRead(
        id=principal.id,
        email=principal.external.email,
        display_name=principal.external.name,
        created_at=first_seen,
    )


async def update_me(
    reader: AsyncSession,
    writer: AsyncSession,
    *,
    principal: Principal,
    data: UserUpdate,
    store: FailureStore,
    address: str,
    local_auth: bool,
) -> UserRead:
    """Change the caller's display name and/or password.

    A new password needs the current one (403 otherwise, counted like a failed
    login) and ends every other login of the account.
    """
    if principal.external is not None:
        raise Forbidden("The identity provider owns this account's profile")
    user_id = parse_id(principal.id)
    statement = select(User.email, User.password_hash).where(User.id == user_id)
    account = (await reader.execute(statement)).one_or_none() if user_id else None
    if user_id is None or account is None:
        raise InvalidToken()
    changes: dict[str, Any] = {}
    if "display_name" in data.model_fields_set:
        changes["display_name"] = data.display_name
    if "password" in data.model_fields_set:
        if not local_auth:
            raise Forbidden("Passwords are managed by the identity provider")
        reservation = await _check_password(
            reader,
            store=store,
            keys=throttle_keys(account.email, address),
            password_hash=account.password_hash,
            password=data.current_password if "current_password" in data.model_fields_set else None,
            rejected=CurrentPasswordRejected,
        )
        # Hash before the writer's first statement, which takes SQLite's write lock.
        changes["password_hash"] = await hash_password(data.password)
        await reservation.release(writer)
        await sessions.end_other_logins(
            writer, user_id=user_id, keep_session_id=principal.session_id
        )
    if not changes:
        return await read_me(reader, principal=principal)
    updated = (
        await writer.execute(
            update(User)
            .where(User.id == user_id)
            .values(**changes, updated_at=utcnow())
            .returning(*_READ_COLUMNS)
        )
    ).one()
    return _read(updated)


async def delete_me(session: AsyncSession, *, principal: Principal) -> None:
    """Delete the caller, in one transaction: their logins, their personal workspace
    and every workspace they are alone in, their memberships everywhere else."""
    if principal.external is None:
        user_id = parse_id(principal.id)
        if user_id is None:
            raise InvalidToken()
        await session.execute(delete(RefreshToken).where(RefreshToken.user_id == user_id))
        deleted = await session.execute(delete(User).where(User.id == user_id).returning(User.id))
        if deleted.one_or_none() is None:
            raise InvalidToken()
    else:
        await forget_external(session, principal)
    await workspaces.remove_account(session, user_id=principal.id)
    await api_keys_service.forget_user(session, principal.id)
