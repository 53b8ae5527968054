"""Access tokens issued here: HS256 JWTs signed with the deployment's secret."""

import os
import secrets
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from teamnotes.config import Settings
from teamnotes.errors import InvalidToken

ISSUER = "teamnotes"
AUDIENCE = "teamnotes-api"
LEEWAY_SECONDS = 30
_REQUIRED_CLAIMS = ["sub", "iat", "exp", "iss", "aud", "jti"]


@dataclass(frozen=True, slots=True)
class TokenIssuer:
    secret: str
    access_ttl: timedelta

    def access_token(self, subject: str, *, now: datetime | None = None) -> str:
        now = now or datetime.now(UTC)
        claims = {
            "sub": subject,
            "iat": now,
            "exp": now + self.access_ttl,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def subject_of(self, token: str) -> str:
        """The user id an access token names; InvalidToken for anything else."""
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken() from error
        subject = claims["sub"]
        if not isinstance(subject, str) or not 0 < len(subject) <= 255:
            raise InvalidToken()
        return subject


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
