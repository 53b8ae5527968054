"""Settings from `TEAMNOTES_*` environment variables or a `.env` file."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/teamnotes.db"


class Settings(BaseSettings):
    """Everything an operator can configure; `.env.example` lists each with its default."""

    model_config = SettingsConfigDict(
        env_prefix="TEAMNOTES_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("TEAMNOTES_DATABASE_URL", "DATABASE_URL", "database_url"),
    )
    data_dir: Path = Path("./data")

    jwt_secret: SecretStr | None = None
    access_token_ttl: int = Field(15 * 60, gt=0, description="seconds")
    refresh_token_ttl: int = Field(30 * 24 * 3600, gt=0, description="seconds")
    local_auth: bool = True
    refresh_reuse_grace: int = Field(10, ge=0, description="seconds")

    # An external identity provider's tokens (e.g. Better-Auth's JWT plugin).
    jwt_jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_algorithms: Annotated[list[str], NoDecode] = ["EdDSA", "ES256", "RS256"]
    jwks_refetch_cooldown: float = Field(30.0, ge=0, description="seconds")
    # The longest any request waits for the provider to send its JWKS.
    jwks_fetch_timeout: float = Field(2.0, gt=0, description="seconds")
    # Cached keys older than this are refetched (in the background).
    jwks_max_age: float = Field(3600.0, gt=0, description="seconds")

    # Login throttling counts live in the database, or in Redis when this is set.
    redis_url: str | None = None
    trusted_proxies: Annotated[list[str], NoDecode] = []

    invitation_ttl: int = Field(7 * 24 * 3600, gt=0, description="seconds")
    changes_retention_days: float = Field(90, gt=0, description="days the feed keeps deletes")
    trash_retention_days: float = Field(30, gt=0, description="days before the trash is purged")
    revisions_kept: int = Field(50, gt=0, description="revisions kept per note")
    revision_merge_seconds: float = Field(
        300, ge=0, description="seconds within which one user's edits share a revision"
    )
    sse_keepalive: float = Field(15, gt=0, description="seconds between keepalive comments")
    sse_streams_per_user: int = Field(10, gt=0)

    # Webhooks (API.md §12). Private, loopback and link-local destinations are refused
    # unless allowed (intranets, tests).
    webhooks_allow_private: bool = False
    webhooks_timeout: float = Field(10.0, gt=0, description="seconds per delivery attempt")
    webhooks_concurrency: int = Field(10, gt=0, description="attempts at once per process")
    webhooks_first_retry: float = Field(5.0, gt=0, description="seconds; each later delay x4")
    webhooks_retry_for: float = Field(24 * 3600, ge=0, description="seconds of retrying")
    webhooks_disable_after: int = Field(50, gt=0, description="events in a row failed for good")
    webhooks_poll_interval: float = Field(1.0, gt=0, description="seconds between looks")
    webhooks_retention_days: float = Field(30, gt=0, description="days deliveries are kept")

    max_body_bytes: int = Field(1024 * 1024, gt=0)
    # The body of an import (a zip); what it holds may expand to ten times this.
    max_import_bytes: int = Field(64 * 1024 * 1024, gt=0)
    cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:3000"]
    cors_allow_credentials: bool = True
    docs: bool = True
    # The web app at / (issue 16); off, only the API answers.
    web_app: bool = True
    # Where the app's "Sign in with your identity provider" sends people; the provider
    # hands them back to /#provider_token=<its JWT>. Unset: the button is hidden.
    web_provider_sign_in_url: str | None = None

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    metrics: bool = True
    # The bearer token a scraper sends; unset, /metrics answers loopback clients only.
    metrics_token: SecretStr | None = None
    shutdown_timeout: int = Field(20, gt=0, description="seconds for in-flight requests")
    db_pool_size: int = Field(10, gt=0)
    # How long a request waits for a database connection (on SQLite, its turn at the
    # one writer) before it answers 503.
    db_pool_timeout: float = Field(30.0, gt=0, description="seconds")
    # SQLite: how long a write waits for the file's write lock held outside the
    # deployment's own gate (a migration, a backup, another program) before it answers 503.
    db_busy_timeout: float = Field(15.0, gt=0, description="seconds")
    housekeeping_interval: int = Field(300, ge=0, description="seconds; 0 turns it off")

    @field_validator("cors_origins", "jwt_algorithms", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("jwt_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        # HS256 keys shorter than the hash output are brute-forceable (RFC 7518 §3.2).
        if value is not None and len(value.get_secret_value().encode()) < 32:
            raise ValueError("TEAMNOTES_JWT_SECRET must be at least 32 bytes long")
        return value

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # Compose passes `${TEAMNOTES_METRICS_TOKEN:-}` through as an empty string.
        return None if value == "" else value

    @field_validator("metrics_token")
    @classmethod
    def _hard_to_guess(cls, value: SecretStr | None) -> SecretStr | None:
        # /metrics has no login throttle: a short token could be guessed by trying.
        if value is not None and len(value.get_secret_value()) < 24:
            raise ValueError("TEAMNOTES_METRICS_TOKEN must be at least 24 characters long")
        return value

    @field_validator("jwt_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        # A provider's public key must never verify an HMAC (or unsigned) token.
        refused = [alg for alg in value if alg.lower() == "none" or alg.upper().startswith("HS")]
        if refused:
            raise ValueError(f"TEAMNOTES_JWT_ALGORITHMS may not contain {', '.join(refused)}")
        return value

    @model_validator(mode="after")
    def _provider_fully_described(self) -> "Settings":
        if self.jwt_jwks_url and not (self.jwt_issuer and self.jwt_audience):
            raise ValueError(
                "TEAMNOTES_JWT_JWKS_URL needs TEAMNOTES_JWT_ISSUER and TEAMNOTES_JWT_AUDIENCE: "
                "tokens from the provider are checked against both"
            )
        return self

    @field_validator("web_provider_sign_in_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("TEAMNOTES_WEB_PROVIDER_SIGN_IN_URL must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _provider_for_the_web_app(self) -> "Settings":
        if self.web_provider_sign_in_url and not self.jwt_jwks_url:
            raise ValueError(
                "TEAMNOTES_WEB_PROVIDER_SIGN_IN_URL needs TEAMNOTES_JWT_JWKS_URL: the app "
                "would be handed provider tokens that the API cannot check"
            )
        return self

    @model_validator(mode="after")
    def _no_wildcard_with_credentials(self) -> "Settings":
        if self.cors_allow_credentials and "*" in self.cors_origins:
            raise ValueError(
                "TEAMNOTES_CORS_ORIGINS may not contain '*' while credentials are allowed: "
                "list the frontend origins explicitly "
                "(or set TEAMNOTES_CORS_ALLOW_CREDENTIALS=false)"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once, on first use."""
    return Settings()
