"""Who is calling: a bearer token issued here or by the configured identity provider."""

import ipaddress
import time
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from teamnotes.auth.api_keys import is_key
from teamnotes.auth.api_keys_check import ApiKeyChecker
from teamnotes.auth.external import ExternalVerifier
from teamnotes.auth.principal import Principal
from teamnotes.auth.tokens import TokenIssuer
from teamnotes.kit.errors import Forbidden, InvalidToken, NotAuthenticated

# Enough for every token in use on a busy process; beyond it the cache starts afresh.
_VERIFIED_TOKENS = 10_000


class Authenticator:
    """Tells the three kinds of bearer apart by their form: an API key by its `tn_`
    prefix; then built-in tokens from the provider's by algorithm: an HS256 token is
    only ever checked with the secret, and never against a key of the provider's JWKS."""

    def __init__(
        self,
        issuer: TokenIssuer,
        external: ExternalVerifier | None,
        keys: ApiKeyChecker | None = None,
    ) -> None:
        self.issuer = issuer
        self.external = external
        self.keys = keys
        # Verified tokens, by their exact text, until they expire: a client sends the
        # same token with every request, and checking its signature each time was a
        # seventh of the cost of reading one item.
        self._verified: dict[str, tuple[Principal, float]] = {}

    async def principal(self, token: str) -> Principal:
        if self.keys is not None and is_key(token):
            return await self.keys.principal(token)
        cached = self._verified.get(token)
        if cached is not None and cached[1] > time.time():
            return cached[0]
        principal, expires_at = await self._verify(token)
        if expires_at > time.time():  # not one accepted only by the leeway
            if len(self._verified) >= _VERIFIED_TOKENS:
                self._verified.clear()
            self._verified[token] = (principal, expires_at)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidToken() from error
        algorithm = header.get("alg")
        if algorithm == "HS256":
            claims = self.issuer.access_claims(token)
            principal = Principal(
                claims.subject, session_id=claims.session_id, expires_at=claims.expires_at
            )
            return principal, claims.expires_at
        if self.external is not None and self.external.accepts(algorithm):
            identity = await self.external.verify(token, header)
            principal = Principal(
                identity.subject,
                external=identity,
                issued_at=identity.issued_at,
                expires_at=identity.expires_at,
            )
            return principal, identity.expires_at
        raise InvalidToken()


class BearerAuth(OAuth2PasswordBearer):
    """The caller, from the bearer token, as one dependency.

    Declared as OAuth2's password scheme, so that OpenAPI says every route needs the
    token and Swagger UI's Authorize button logs in by form. The access dependencies
    of the workspaces are this class too, so that a hot route resolves the caller and
    the workspace in a single dependency.
    """

    def __init__(self) -> None:
        super().__init__(
            tokenUrl="/auth/token", scheme_name="OAuth2PasswordBearer", auto_error=False
        )

    async def principal(self, request: Request) -> Principal:
        """The caller; 401 without a valid token."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if not token or scheme.lower() != "bearer":
            raise NotAuthenticated()
        authenticator: Authenticator = request.app.state.authenticator
        principal = await authenticator.principal(token)
        if principal.key is not None:
            assert authenticator.keys is not None  # only it makes key principals
            await authenticator.keys.admit(principal.key, request)
        elif principal.external is not None:
            await request.app.state.external_accounts.admit(principal)
        request.state.user_id = principal.id
        return principal

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        return await self.principal(request)


current_principal = BearerAuth()


async def current_user_id(principal: Annotated[Principal, Depends(current_principal)]) -> str:
    """The caller's user id: the owner of every row the request may touch."""
    return principal.id


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentUserId = Annotated[str, Depends(current_user_id)]


async def require_local_auth(request: Request) -> None:
    """403 where the identity provider owns the accounts (TEAMNOTES_LOCAL_AUTH=false)."""
    if not request.app.state.settings.local_auth:
        raise Forbidden("Local accounts are turned off: sign in with the identity provider")


async def client_address(request: Request) -> str:
    """The client's IP: the socket peer, or, when that peer is a trusted proxy, the
    nearest address in X-Forwarded-For that is not one of the trusted proxies."""
    peer = request.client.host if request.client else ""
    trusted: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = request.app.state.trusted_proxies
    if not trusted or not _within(peer, trusted):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _within(hop, trusted):
            return hop
    return peer


def _within(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


ClientAddress = Annotated[str, Depends(client_address)]
