"""Login throttling (API.md §2): failed password checks, counted per key over 15 minutes.

Only failed password checks count. Three keys share each failure: the email with the
client address (5 allowed), the address alone (20) and the email alone (50). A key
at its limit answers 429 with `Retry-After` until its oldest failure leaves the
window. The counts are shared by every process of a deployment: rows in the
database by default, or sorted sets in Redis when configured.

Every attempt first reserves its failure, atomically for all three keys, before its
password is checked: a pending check counts as a failure, so attempts sent at the
same moment (to any process) cannot all be checked before the first is counted. A
check that succeeds releases its reservation; one that fails leaves it standing as
the recorded failure.
"""

import math
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn, Protocol

import coredis
from coredis.typing import ValueT
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from teamnotes.auth.models import LoginFailure
from teamnotes.kit.db import utcnow
from teamnotes.kit.errors import RateLimited
from teamnotes.kit.locks import hold_names
from teamnotes.kit.metrics import THROTTLED

WINDOW = timedelta(minutes=15)

# The first half of PostgreSQL's two-part advisory lock keys: a key space of its own,
# apart from the one-part key that serialises migrations.
_LOCK_SPACE = 0x7E4A_0001


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


class Reservation(Protocol):
    async def release(self, session: AsyncSession) -> None:
        """Take the pending failure back: its password check succeeded."""


class FailureStore(Protocol):
    async def reserve(self, keys: Sequence[ThrottleKey]) -> Reservation:
        """Count a pending failure against every key at once; RateLimited when one is full."""

    async def close(self) -> None:
        """Let go of the store's connections."""


def _refuse(wait: timedelta) -> NoReturn:
    THROTTLED.inc()
    # Never beyond the window, even where the clocks of two hosts disagree.
    raise RateLimited(max(1, math.ceil(min(wait, WINDOW).total_seconds())))


async def lock_keys(connection: AsyncConnection, names: Iterable[str]) -> None:
    """Hold back every other reservation of these keys until this transaction ends."""
    await hold_names(connection, _LOCK_SPACE, names)


@dataclass(frozen=True, slots=True)
class _Rows:
    ids: tuple[int, ...]

    async def release(self, session: AsyncSession) -> None:
        await session.execute(delete(LoginFailure).where(LoginFailure.id.in_(self.ids)))


class DatabaseFailureStore:
    """Failures as rows, each reserved in a short write transaction of its own.

    The transaction commits before the password is checked, so every process sees
    the reservation. Under `lock_keys` the count and the insert are one step: on
    SQLite each process funnels writes through one connection, and the file lock
    queues them across processes.
    """

    def __init__(self, write_session: async_sessionmaker[AsyncSession]) -> None:
        self._write_session = write_session

    async def reserve(self, keys: Sequence[ThrottleKey]) -> Reservation:
        allowed = {key.name: key.limit for key in keys}
        async with self._write_session() as session, session.begin():
            # The transaction begins here, and on SQLite takes the write lock with it.
            connection = await session.connection()
            await lock_keys(connection, allowed)
            # Read the clock only under the locks: no failure counted here is newer.
            now = utcnow()
            counts = (
                select(LoginFailure.key, func.count(), func.min(LoginFailure.failed_at))
                .where(LoginFailure.key.in_(allowed), LoginFailure.failed_at > now - WINDOW)
                .group_by(LoginFailure.key)
            )
            waits = [
                oldest + WINDOW - now
                for name, count, oldest in (await session.execute(counts)).all()
                if count >= allowed[name]
            ]
            if waits:
                _refuse(max(waits))
            reserved = await session.execute(
                insert(LoginFailure)
                .values([{"key": name, "failed_at": now} for name in allowed])
                .returning(LoginFailure.id)
            )
            return _Rows(tuple(reserved.scalars()))

    async def close(self) -> None:
        """Nothing to close: the sessions belong to the app's database."""


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    """Delete the failures that have left the window; how many went."""
    result = await session.execute(
        delete(LoginFailure).where(LoginFailure.failed_at <= now - WINDOW)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# KEYS: one sorted set per throttle key (members scored by time in milliseconds).
# ARGV: the window in milliseconds, the reservation's member, then each key's limit.
# Answers 0 once reserved, else the milliseconds until every key is under its limit.
_RESERVE = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
if wait > 0 then
  return wait
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('PEXPIRE', key, window)
end
return 0
"""

_RELEASE = """
for _, key in ipairs(KEYS) do
  redis.call('ZREM', key, ARGV[1])
end
return 0
"""


@dataclass(frozen=True, slots=True)
class _Member:
    store: "RedisFailureStore"
    keys: tuple[str, ...]
    member: str

    async def release(self, session: AsyncSession) -> None:
        await self.store.release(self.keys, self.member)


class RedisFailureStore:
    """Failures in Redis sorted sets, reserved by one script for all keys at once."""

    def __init__(self, url: str, *, prefix: str = "teamnotes:login") -> None:
        self._client = coredis.Redis.from_url(url, decode_responses=True)
        self._reserve = self._client.register_script(_RESERVE)
        self._release = self._client.register_script(_RELEASE)
        self._prefix = prefix
        self._window_ms = int(WINDOW.total_seconds() * 1000)

    async def reserve(self, keys: Sequence[ThrottleKey]) -> Reservation:
        names = tuple(f"{self._prefix}:{key.name}" for key in keys)
        member = secrets.token_hex(16)
        args: list[ValueT] = [self._window_ms, member, *(key.limit for key in keys)]
        wait_ms = await self._reserve(keys=names, args=args)
        assert isinstance(wait_ms, int)
        if wait_ms > 0:
            _refuse(timedelta(milliseconds=wait_ms))
        return _Member(self, names, member)

    async def release(self, names: tuple[str, ...], member: str) -> None:
        """Remove one reservation from its keys' sorted sets."""
        await self._release(keys=names, args=[member])

    async def close(self) -> None:
        """Close the connections to Redis."""
        self._client.connection_pool.disconnect()


def failure_store(
    redis_url: str | None, write_session: async_sessionmaker[AsyncSession]
) -> FailureStore:
    if redis_url:
        return RedisFailureStore(redis_url)
    return DatabaseFailureStore(write_session)
