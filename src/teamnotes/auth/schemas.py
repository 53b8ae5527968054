from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, StringConstraints

from teamnotes.fields import Timestamp, trimmed, verbatim


def _trim_lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


Email = Annotated[EmailStr, BeforeValidator(_trim_lower), Field(max_length=320)]
Password = Annotated[str, verbatim(256, min_length=8)]
DisplayName = Annotated[str, trimmed(100)]


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

    email: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=320)]
    password: Annotated[str, StringConstraints(max_length=1024)]


class LoginForm(BaseModel):
    """The OAuth2 password form; its standard extras are accepted and ignored."""

    model_config = ConfigDict(extra="forbid")

    username: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=320)
    ]
    password: Annotated[str, StringConstraints(max_length=1024)]
    grant_type: Literal["password"] | None = None
    scope: str = ""
    client_id: str | None = None
    client_secret: str | None = None


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 scheme name)
    expires_in: int = Field(description="Seconds until the access token expires.")
