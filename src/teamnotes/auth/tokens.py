"""Access tokens issued here: HS256 JWTs signed with the deployment's secret."""

import os
import secrets
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt

from teamnotes.config import Settings
from teamnotes.kit.errors import InvalidToken

ISSUER = "teamnotes"
AUDIENCE = "teamnotes-api"
# Refresh tokens have an audience of their own, so one can never pass for the other.
REFRESH_AUDIENCE = "teamnotes-refresh"
LEEWAY_SECONDS = 30
_REQUIRED_CLAIMS = ["sub", "iat", "exp", "iss", "aud", "jti"]


@dataclass(frozen=True, slots=True)
class AccessClaims:
    subject: str
    session_id: str | None
    expires_at: float


@dataclass(frozen=True, slots=True)
class TokenIssuer:
    secret: str
    access_ttl: timedelta
    refresh_ttl: timedelta

    def _encode(
        self,
        subject: str,
        audience: str,
        ttl: timedelta,
        session_id: str | None,
        now: datetime | None,
    ) -> str:
        now = now or datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": subject,
            "iat": now,
            "exp": now + ttl,
            "iss": ISSUER,
            "aud": audience,
            "jti": uuid.uuid4().hex,
        }
        if session_id is not None:
            claims["sid"] = session_id  # the login (refresh-token family) it belongs to
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def access_token(
        self, subject: str, *, session_id: str | None = None, now: datetime | None = None
    ) -> str:
        return self._encode(subject, AUDIENCE, self.access_ttl, session_id, now)

    def refresh_token(self, subject: str, *, session_id: str, now: datetime | None = None) -> str:
        return self._encode(subject, REFRESH_AUDIENCE, self.refresh_ttl, session_id, now)

    def _decode(self, token: str, audience: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                audience=audience,
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken() from error
        subject = claims["sub"]
        if not isinstance(subject, str) or not 0 < len(subject) <= 255:
            raise InvalidToken()
        return claims

    def access_claims(self, token: str) -> AccessClaims:
        """The user and login an access token names; InvalidToken for anything else."""
        claims = self._decode(token, AUDIENCE)
        session_id = claims.get("sid")
        return AccessClaims(
            claims["sub"],
            session_id if isinstance(session_id, str) else None,
            float(claims["exp"]),
        )

    def check_refresh_token(self, token: str) -> None:
        """InvalidToken unless this is an unexpired refresh token signed here."""
        self._decode(token, REFRESH_AUDIENCE)


def load_or_create_secret(settings: Settings) -> str:
    """The configured secret, or one generated once into the data directory.

    Several worker processes may start at the same moment: each writes a candidate to
    a private temporary file and links it into place; `link` fails when the file
    already exists, so exactly one candidate wins and every process reads that one.
    """
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value()
    path = settings.data_dir / "jwt_secret"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        _create_once(path, secrets.token_urlsafe(48))
    return path.read_text().strip()


def _create_once(path: Path, content: str) -> None:
    descriptor, candidate = tempfile.mkstemp(dir=path.parent, prefix=".jwt_secret.")
    try:
        with os.fdopen(descriptor, "w") as file:  # mkstemp creates it with mode 0600
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.link(candidate, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(candidate)
