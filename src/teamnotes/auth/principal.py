"""Who is calling: what the authenticator found in the bearer token."""

import uuid
from dataclasses import dataclass
from typing import Literal

from teamnotes.auth.external import ExternalIdentity

KeyScope = Literal["read", "write"]


@dataclass(frozen=True, slots=True)
class KeyGrant:
    """What an API key allows (API.md §11): its scope and, when bound, its workspace."""

    id: uuid.UUID
    scope: KeyScope
    workspace_id: uuid.UUID | None
    expires_at: float | None


@dataclass(frozen=True, slots=True)
class Principal:
    id: str
    session_id: str | None = None
    external: ExternalIdentity | None = None
    issued_at: float | None = None
    """The token's `iat`: a deleted external account refuses tokens issued before."""
    expires_at: float | None = None
    """The token's `exp` (Unix time): a live stream ends then."""
    key: KeyGrant | None = None
    """Set when the caller came with an API key rather than a token."""
