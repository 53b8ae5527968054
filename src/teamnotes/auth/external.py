"""Tokens from an external identity provider, checked against its JWKS (API.md §2).

Made for tokens like Better-Auth's JWT plugin issues (EdDSA/Ed25519 with a `kid`,
no `typ`), and any provider signing with ES256 or RS256. The key set is fetched
and cached; an unknown `kid` triggers at most one refetch per cooldown (key
rotation works without a restart, and forged kids cannot make us hammer the
provider); a failed fetch keeps the keys we have. No request waits longer than the
fetch timeout for the provider, and a request whose key is cached never waits for
it: an old cache is refreshed in the background. `jku` and `x5u` headers are never
followed: keys come from the configured URL only.
"""

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jwt
from jwt import PyJWK, PyJWKSet

from teamnotes.kit.errors import InvalidToken

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("teamnotes.auth")

LEEWAY_SECONDS = 30


class KeySet:
    """The provider's keys, fetched on first use and cached.

    Keys older than `max_age` are refetched, so a key the provider has withdrawn
    stops working; meanwhile, and when the refetch fails, the cached keys serve.
    """

    def __init__(
        self, url: str, *, refetch_cooldown: float, fetch_timeout: float, max_age: float
    ) -> None:
        self.url = url
        self.refetch_cooldown = refetch_cooldown
        self.fetch_timeout = fetch_timeout
        self.max_age = max_age
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = -max_age
        self._attempted_at = -refetch_cooldown
        # One fetch at a time, shared by every request that needs it.
        self._fetch: asyncio.Task[None] | None = None
        # Made on first use, in the event loop; kept, because making one loads the
        # CA bundle (tens of milliseconds of the loop's time).
        self._client: httpx.AsyncClient | None = None

    async def key(self, kid: str | None) -> PyJWK | None:
        found = self._find(kid)
        if found is not None:
            if time.monotonic() - self._fetched_at > self.max_age:
                self._start_fetch()
            return found
        fetch = self._start_fetch()
        if fetch is not None:
            # Shielded: a client that gives up does not cancel the fetch for the others.
            # The fetch is itself bounded by the fetch timeout.
            await asyncio.shield(fetch)
        return self._find(kid)

    async def close(self) -> None:
        """Cancel a fetch still under way, and close the connections (at shutdown)."""
        if self._fetch is not None:
            self._fetch.cancel()
            await asyncio.wait([self._fetch])
        if self._client is not None:
            await self._client.aclose()

    def _find(self, kid: str | None) -> PyJWK | None:
        if kid is None:  # a provider with a single key may leave the kid out
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _start_fetch(self) -> asyncio.Task[None] | None:
        """The fetch under way, or a new one unless the last began within the cooldown."""
        if self._fetch is not None and not self._fetch.done():
            return self._fetch
        if time.monotonic() - self._attempted_at < self.refetch_cooldown:
            return None
        self._attempted_at = time.monotonic()
        self._fetch = asyncio.create_task(self._refresh())
        return self._fetch

    async def _refresh(self) -> None:
        try:
            # The whole exchange is bounded, not each read: a provider that accepts
            # the connection and then trickles, or says nothing, is cut off all the same.
            async with asyncio.timeout(self.fetch_timeout):
                document = await self._download()
            key_set = PyJWKSet.from_dict(document)
        except Exception as error:
            log.warning("JWKS fetch failed; keeping the cached keys", exc_info=error)
            return
        self._keys = {key.key_id: key for key in key_set.keys if key.key_id}
        if not self._keys and len(key_set.keys) == 1:
            self._keys = {"": key_set.keys[0]}
        self._fetched_at = time.monotonic()

    async def _download(self) -> dict[str, Any]:
        if self._client is None:
            import httpx  # only where a provider is configured: a few MB per process

            # Redirects are the configured provider's own (to https, a moved endpoint).
            self._client = httpx.AsyncClient(follow_redirects=True)
        response = await self._client.get(self.url, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            raise ValueError("a JWKS document is a JSON object")
        return document


@dataclass(frozen=True, slots=True)
class ExternalIdentity:
    subject: str
    email: str | None
    name: str | None
    expires_at: float
    issued_at: float | None = None


class ExternalVerifier:
    def __init__(
        self, key_set: KeySet, *, issuer: str, audience: str, algorithms: list[str]
    ) -> None:
        self.key_set = key_set
        self.issuer = issuer
        self.audience = audience
        self.algorithms = algorithms

    def accepts(self, algorithm: object) -> bool:
        return algorithm in self.algorithms

    async def verify(self, token: str, header: dict[str, Any]) -> ExternalIdentity:
        algorithm = header["alg"]
        kid = header.get("kid")
        key = await self.key_set.key(kid if isinstance(kid, str) else None)
        # The key decides the algorithm as much as the token does: an RSA key never
        # verifies an EdDSA token, nor the other way round.
        if key is None or key.algorithm_name != algorithm:
            raise InvalidToken()
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken() from error
        subject = claims["sub"]
        if not isinstance(subject, str) or not 0 < len(subject) <= 255:
            raise InvalidToken()
        return ExternalIdentity(
            subject=subject,
            email=_text_claim(claims, "email"),
            name=_text_claim(claims, "name"),
            expires_at=float(claims["exp"]),
            issued_at=_time_claim(claims, "iat"),
        )


def _text_claim(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) else None


def _time_claim(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    return float(value) if isinstance(value, int | float) else None
