"""Local accounts: registration, password login, profile reads."""

import uuid

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.auth.models import User
from teamnotes.auth.passwords import dummy_hash, hash_password, verify_password
from teamnotes.auth.schemas import UserCreate, UserRead
from teamnotes.db import utcnow
from teamnotes.errors import EmailTaken, InvalidCredentials
from teamnotes.ids import new_id, parse_id

_READ_COLUMNS = (User.id, User.email, User.display_name, User.created_at)


def _read(row: object) -> UserRead:
    mapping = row._mapping  # type: ignore[attr-defined]
    return UserRead(
        id=str(mapping["id"]),
        email=mapping["email"],
        display_name=mapping["display_name"],
        created_at=mapping["created_at"],
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
    return _read(row)


async def authenticate(session: AsyncSession, *, email: str, password: str) -> uuid.UUID:
    """The id of the account these credentials open; InvalidCredentials otherwise.

    An unknown email verifies the password against a dummy hash, so both failures
    cost the same argon2 work and answer alike.
    """
    statement = select(User.id, User.password_hash).where(User.email == email)
    row = (await session.execute(statement)).one_or_none()
    password_hash = row.password_hash if row else dummy_hash()
    if not await verify_password(password_hash, password) or row is None:
        raise InvalidCredentials()
    return row.id  # type: ignore[no-any-return]


async def get_user(session: AsyncSession, *, user_id: str) -> UserRead | None:
    """The local account with this id, or None."""
    parsed = parse_id(user_id)
    if parsed is None:
        return None
    row = (await session.execute(select(*_READ_COLUMNS).where(User.id == parsed))).one_or_none()
    return _read(row) if row else None
