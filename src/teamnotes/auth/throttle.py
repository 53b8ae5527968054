"""Login throttling (API.md §2): failed password checks, counted per key over 15 minutes.

Only failed password checks count. Three keys share each failure: the email with the
client address (5 allowed), the address alone (20) and the email alone (50). A key
at its limit answers 429 with `Retry-After` until its oldest failure leaves the
window. The counts are shared by every process of a deployment: rows in the
database by default, or Redis (through `limits`' moving window) when configured.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from limits import RateLimitItemPerMinute
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.auth.models import LoginFailure
from teamnotes.kit.db import utcnow
from teamnotes.kit.errors import RateLimited
from teamnotes.kit.metrics import THROTTLED

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class ThrottleKey:
    name: str
    limit: int


def throttle_keys(email: str, address: str) -> list[ThrottleKey]:
    return [
        ThrottleKey(f"email+address:{email}|{address}", 5),
        ThrottleKey(f"address:{address}", 20),
        ThrottleKey(f"email:{email}", 50),
    ]


class FailureStore(Protocol):
    async def retry_after(self, session: AsyncSession, keys: Sequence[ThrottleKey]) -> int | None:
        """Seconds until every key is under its limit again, or None when none is at it."""

    async def record(self, session: AsyncSession, keys: Sequence[ThrottleKey]) -> None:
        """Count one failed password check against each key."""


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


class DatabaseFailureStore:
    """Failures as rows, in the request's own transaction (they commit with its 401)."""

    async def retry_after(self, session: AsyncSession, keys: Sequence[ThrottleKey]) -> int | None:
        now = utcnow()
        limits = {key.name: key.limit for key in keys}
        statement = (
            select(LoginFailure.key, func.count(), func.min(LoginFailure.failed_at))
            .where(LoginFailure.key.in_(limits), LoginFailure.failed_at > now - WINDOW)
            .group_by(LoginFailure.key)
        )
        waits = [
            _seconds_until(oldest + WINDOW, now)
            for name, count, oldest in (await session.execute(statement)).all()
            if count >= limits[name]
        ]
        return max(waits, default=None)

    async def record(self, session: AsyncSession, keys: Sequence[ThrottleKey]) -> None:
        now = utcnow()
        names = [key.name for key in keys]
        # Housekeeping on the way: these keys' failures that left the window.
        await session.execute(
            delete(LoginFailure).where(
                LoginFailure.key.in_(names), LoginFailure.failed_at <= now - WINDOW
            )
        )
        await session.execute(
            insert(LoginFailure), [{"key": name, "failed_at": now} for name in names]
        )


class RedisFailureStore:
    """Failures in Redis, so that every instance of a deployment shares the counts."""

    def __init__(self, url: str, *, prefix: str = "teamnotes:login") -> None:
        storage = RedisStorage(f"async+{url}", key_prefix=prefix)
        self._limiter = MovingWindowRateLimiter(storage)
        self._window_minutes = int(WINDOW.total_seconds() // 60)

    def _item(self, key: ThrottleKey) -> RateLimitItemPerMinute:
        return RateLimitItemPerMinute(key.limit, self._window_minutes)

    async def retry_after(self, session: AsyncSession, keys: Sequence[ThrottleKey]) -> int | None:
        now = utcnow().timestamp()
        waits = []
        for key in keys:
            item = self._item(key)
            if not await self._limiter.test(item, key.name):
                stats = await self._limiter.get_window_stats(item, key.name)
                waits.append(max(1, math.ceil(stats.reset_time - now)))
        return max(waits, default=None)

    async def record(self, session: AsyncSession, keys: Sequence[ThrottleKey]) -> None:
        for key in keys:
            await self._limiter.hit(self._item(key), key.name)


async def ensure_allowed(
    store: FailureStore, session: AsyncSession, keys: Sequence[ThrottleKey]
) -> None:
    """RateLimited when any key is at its limit: the password is not even checked."""
    wait = await store.retry_after(session, keys)
    if wait is not None:
        THROTTLED.inc()
        raise RateLimited(wait)


def failure_store(redis_url: str | None) -> FailureStore:
    return RedisFailureStore(redis_url) if redis_url else DatabaseFailureStore()
