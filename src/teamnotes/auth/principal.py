"""Who is calling: what the authenticator found in the bearer token."""

from dataclasses import dataclass

from teamnotes.auth.external import ExternalIdentity


@dataclass(frozen=True, slots=True)
class Principal:
    id: str
    session_id: str | None = None
    external: ExternalIdentity | None = None
    issued_at: float | None = None
    """The token's `iat`: a deleted external account refuses tokens issued before."""
    expires_at: float | None = None
    """The token's `exp` (Unix time): a live stream ends then."""
