"""Tokens from an external identity provider, checked against its JWKS (API.md §2).

Made for tokens like Better-Auth's JWT plugin issues (EdDSA/Ed25519 with a `kid`,
no `typ`), and any provider signing with ES256 or RS256. The key set is fetched
off the event loop and cached; an unknown `kid` triggers at most one refetch per
cooldown (key rotation works without a restart, and forged kids cannot make us
hammer the provider); a failed fetch keeps the keys we have. `jku` and `x5u`
headers are never followed: keys come from the configured URL only.
"""

import asyncio
import json
import logging
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWK, PyJWKSet

from teamnotes.kit.errors import InvalidToken

log = logging.getLogger("teamnotes.auth")

LEEWAY_SECONDS = 30
_FETCH_TIMEOUT = 5.0
# Keys older than this are refetched on the next use, so a key the provider has
# withdrawn stops working; a failed refetch keeps the old keys.
_MAX_AGE = 3600.0


def _download(url: str) -> dict[str, Any]:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (an operator-configured URL)
    with urllib.request.urlopen(request, timeout=_FETCH_TIMEOUT) as response:  # noqa: S310
        document = json.load(response)
    if not isinstance(document, dict):
        raise ValueError("a JWKS document is a JSON object")
    return document


class KeySet:
    def __init__(self, url: str, *, refetch_cooldown: float) -> None:
        self.url = url
        self.refetch_cooldown = refetch_cooldown
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = -_MAX_AGE
        self._attempted_at = -refetch_cooldown
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> PyJWK | None:
        if time.monotonic() - self._fetched_at > _MAX_AGE or self._find(kid) is None:
            await self._refresh()
        return self._find(kid)

    def _find(self, kid: str | None) -> PyJWK | None:
        if kid is None:  # a provider with a single key may leave the kid out
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._attempted_at < self.refetch_cooldown:
                return
            self._attempted_at = time.monotonic()
            try:
                document = await asyncio.to_thread(_download, self.url)
                key_set = PyJWKSet.from_dict(document)
            except Exception as error:
                log.warning("JWKS fetch failed; keeping the cached keys", exc_info=error)
                return
            self._keys = {key.key_id: key for key in key_set.keys if key.key_id}
            if not self._keys and len(key_set.keys) == 1:
                self._keys = {"": key_set.keys[0]}
            self._fetched_at = time.monotonic()


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
