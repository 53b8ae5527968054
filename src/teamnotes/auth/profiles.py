"""What other domains may know of an account: its email and display name."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.auth.models import ExternalUser, User
from teamnotes.kit.ids import parse_id


@dataclass(frozen=True, slots=True)
class Profile:
    email: str | None
    display_name: str | None


async def profiles(session: AsyncSession, user_ids: list[str]) -> dict[str, Profile]:
    """The profiles of these users, local accounts and provider users alike."""
    local = [key for key in map(parse_id, user_ids) if key is not None]
    found: dict[str, Profile] = {}
    if local:
        rows = await session.execute(
            select(User.id, User.email, User.display_name).where(User.id.in_(local))
        )
        found |= {str(row.id): Profile(row.email, row.display_name) for row in rows}
    others = [user_id for user_id in user_ids if user_id not in found]
    if others:
        rows = await session.execute(
            select(ExternalUser.id, ExternalUser.email, ExternalUser.display_name).where(
                ExternalUser.id.in_(others)
            )
        )
        found |= {row.id: Profile(row.email, row.display_name) for row in rows}
    return found


async def email_of(session: AsyncSession, user_id: str) -> str | None:
    """A local account's email (None for a provider's user: their token carries it)."""
    key = parse_id(user_id)
    if key is None:
        return None
    statement = select(User.email).where(User.id == key)
    return (await session.execute(statement)).scalar_one_or_none()
