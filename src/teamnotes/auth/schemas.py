from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from teamnotes.kit.fields import NO_NUL, Timestamp, omittable, trimmed, verbatim


def _trim_lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


def _syntactically_valid(value: str) -> str:
    """The address in its normal form, when its syntax is valid (nothing is looked up)."""
    try:
        # `test_environment` makes `.test` addresses valid, as RFC 6761 §6.2 asks
        # applications to do (otherwise it only skips DNS checks, which are off anyway).
        address = validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise ValueError(f"value is not a valid email address: {error}") from error
    return address.normalized


# 254: the longest address SMTP carries (RFC 5321 §4.5.3.1.3, less the angle brackets).
Email = Annotated[
    str,
    BeforeValidator(_trim_lower),
    Field(max_length=254, json_schema_extra={"format": "email"}),
    AfterValidator(_syntactically_valid),
]
Password = Annotated[str, verbatim(256, min_length=8)]
DisplayName = Annotated[str, trimmed(100)]
# Login takes back what was registered: checked for length and NUL only, so that a
# malformed address is wrong credentials (401) like any other, not a 422.
LoginEmail = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=320, pattern=NO_NUL)
]
LoginPassword = Annotated[str, verbatim(1024)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password
    display_name: DisplayName | None = None


class UserRead(BaseModel):
    id: str = Field(description="UUIDv7 for a local account; the provider's `sub` otherwise.")
    email: str | None
    display_name: str | None
    created_at: Timestamp


class LoginJSON(BaseModel):
    """Login as JSON; the OAuth2 form (`username`, `password`) is accepted too."""

    model_config = ConfigDict(extra="forbid")

    email: LoginEmail
    password: LoginPassword


class LoginForm(BaseModel):
    """The OAuth2 password form; its standard extras are accepted and ignored."""

    model_config = ConfigDict(extra="forbid")

    username: LoginEmail
    password: LoginPassword
    grant_type: Literal["password"] | None = None
    scope: Annotated[str, verbatim(1024)] = ""
    client_id: Annotated[str, verbatim(1024)] | None = None
    client_secret: Annotated[str, verbatim(1024)] | None = None


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 scheme name)
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(description="Exchange at POST /auth/refresh; single use.")


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: Annotated[str, verbatim(4096, min_length=1)]


class UserUpdate(BaseModel):
    """Profile changes; a new password needs the current one."""

    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = Field(default=None, description="null clears it.")
    password: Password = omittable()
    current_password: LoginPassword = omittable()
