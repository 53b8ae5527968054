"""Checking an API key on every request, for no more than a token costs.

A process remembers the keys it has looked up, by their exact text, until they
expire: most requests of a script then cost a dictionary lookup. That memory cannot
outlive a revocation, because it is never the last word: every statement a key's
request runs carries `api_keys.alive(key)` (the workspace gate adds it), and
refusing a route checks the key in the database before it says 403.

Which routes a key may use is data (`workspaces.policy.KEY_SCOPE`, handed in by the
composition root), applied here, once, for every authenticated request.
"""

import asyncio
import logging
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import cast

from fastapi import Request
from sqlalchemy import Table, or_, select, update

from teamnotes.auth.api_keys import ApiKey, is_alive, token_hash
from teamnotes.auth.principal import KeyGrant, KeyScope, Principal
from teamnotes.kit.db import Database, utcnow
from teamnotes.kit.errors import Forbidden, InvalidToken

log = logging.getLogger("teamnotes.auth")

# Enough for every key in use on a busy process; beyond it the memory starts afresh.
_REMEMBERED = 10_000
USE_RECORDED_EVERY = 60.0
"""Seconds: `last_used_at` is written at most this often per key."""

_k = cast(Table, ApiKey.__table__).c


class KeyNotAllowed(Forbidden):
    detail = "API keys cannot be used here"


class KeyReadOnly(Forbidden):
    detail = "This API key may only read"


class ApiKeyChecker:
    def __init__(self, database: Database, scopes: Mapping[str, KeyScope]) -> None:
        self.database = database
        self.scopes = scopes
        self._known: dict[str, Principal] = {}
        self._recorded: dict[object, float] = {}
        self._recording: set[asyncio.Task[None]] = set()

    async def principal(self, token: str) -> Principal:
        """The key's user acting within its grant; InvalidToken for an unknown or
        expired key."""
        principal = self._known.get(token)
        if principal is None:
            principal = await self._look_up(token)
            if len(self._known) >= _REMEMBERED:
                self._known.clear()
            self._known[token] = principal
        grant = principal.key
        assert grant is not None
        if grant.expires_at is not None and grant.expires_at <= time.time():
            self._known.pop(token, None)
            raise InvalidToken()
        self._record_use(grant)
        return principal

    async def _look_up(self, token: str) -> Principal:
        statement = select(_k.id, _k.user_id, _k.scope, _k.workspace_id, _k.expires_at).where(
            _k.token_hash == token_hash(token)
        )
        async with self.database.read_session() as session:
            row = (await session.execute(statement)).one_or_none()
        if row is None:
            raise InvalidToken()
        expires_at = row.expires_at.timestamp() if row.expires_at is not None else None
        grant = KeyGrant(row.id, row.scope, row.workspace_id, expires_at)
        return Principal(row.user_id, expires_at=expires_at, key=grant)

    async def admit(self, grant: KeyGrant, request: Request) -> None:
        """Forbidden unless the route is open to keys of this scope (API.md §11)."""
        needed = self.scopes.get(request.scope["route"].endpoint.__name__)
        if needed is not None and (needed == "read" or grant.scope == "write"):
            return
        # A refusal is no hot path: a revoked key hears 401, as on any other route.
        async with self.database.read_session() as session:
            if not await is_alive(session, grant.id):
                raise InvalidToken()
        raise KeyReadOnly() if needed is not None else KeyNotAllowed()

    def _record_use(self, grant: KeyGrant) -> None:
        """Write `last_used_at` once a minute at most, after the request, off its path."""
        now = time.monotonic()
        last = self._recorded.get(grant.id)
        if last is not None and now - last < USE_RECORDED_EVERY:
            return
        if len(self._recorded) >= _REMEMBERED:
            self._recorded.clear()
        self._recorded[grant.id] = now
        task = asyncio.get_running_loop().create_task(self._write_use(grant))
        self._recording.add(task)
        task.add_done_callback(self._recording.discard)

    async def _write_use(self, grant: KeyGrant) -> None:
        # Conditional, so that however many processes see the key, one writes a minute.
        now = utcnow()
        statement = (
            update(ApiKey)
            .where(
                _k.id == grant.id,
                or_(
                    _k.last_used_at.is_(None),
                    _k.last_used_at < now - timedelta(seconds=USE_RECORDED_EVERY),
                ),
            )
            .values(last_used_at=now)
        )
        try:
            async with self.database.write_session() as session, session.begin():
                await session.execute(statement)
        except Exception as error:  # a missed stamp costs nothing but its freshness
            log.warning("could not record an API key's use: %s", error)

    async def close(self) -> None:
        """Let the pending stamps finish before the database goes."""
        if self._recording:
            await asyncio.gather(*self._recording, return_exceptions=True)
