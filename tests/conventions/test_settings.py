"""Settings from the environment and `.env`, and the database URLs they accept (API.md §6)."""

import os
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from teamnotes.config import Settings
from teamnotes.kit.urls import async_url


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment with no Team Notes settings, in a directory with no `.env`."""
    for name in list(os.environ):
        if name.startswith("TEAMNOTES_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


class TestSettings:
    @pytest.mark.parametrize("origins", ["*", "https://app.example,*", " * "])
    def test_a_wildcard_origin_with_credentials_is_refused(
        self, environment: pytest.MonkeyPatch, origins: str
    ) -> None:
        environment.setenv("TEAMNOTES_CORS_ORIGINS", origins)
        with pytest.raises(ValidationError) as refused:
            Settings()
        message = str(refused.value)
        assert "TEAMNOTES_CORS_ORIGINS" in message
        assert "'*'" in message
        assert "credentials" in message

    def test_a_wildcard_origin_without_credentials_is_allowed(
        self, environment: pytest.MonkeyPatch
    ) -> None:
        environment.setenv("TEAMNOTES_CORS_ORIGINS", "*")
        environment.setenv("TEAMNOTES_CORS_ALLOW_CREDENTIALS", "false")
        assert Settings().cors_origins == ["*"]

    @pytest.mark.parametrize(
        ("value", "origins"),
        [
            ("https://app.example", ["https://app.example"]),
            (
                " https://app.example , http://localhost:5173,,",
                ["https://app.example", "http://localhost:5173"],
            ),
        ],
    )
    def test_cors_origins_are_comma_separated(
        self, environment: pytest.MonkeyPatch, value: str, origins: list[str]
    ) -> None:
        environment.setenv("TEAMNOTES_CORS_ORIGINS", value)
        assert Settings().cors_origins == origins

    def test_defaults(self, environment: pytest.MonkeyPatch) -> None:
        settings = Settings()
        assert settings.cors_origins == ["http://localhost:3000"]
        assert settings.database_url == "sqlite:///./data/teamnotes.db"
        assert settings.max_body_bytes == 1024 * 1024
        assert settings.docs is True

    def test_database_url_is_read(self, environment: pytest.MonkeyPatch) -> None:
        environment.setenv("DATABASE_URL", "postgres://u:p@db.example/app?sslmode=require")
        assert Settings().database_url == "postgres://u:p@db.example/app?sslmode=require"

    def test_teamnotes_database_url_is_preferred(self, environment: pytest.MonkeyPatch) -> None:
        environment.setenv("DATABASE_URL", "postgres://u:p@db.example/app")
        environment.setenv("TEAMNOTES_DATABASE_URL", "sqlite:///./data/mine.db")
        assert Settings().database_url == "sqlite:///./data/mine.db"

    def test_a_dotenv_file_is_read(self, environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
        (tmp_path / ".env").write_text(
            "TEAMNOTES_MAX_BODY_BYTES=2048\nTEAMNOTES_CORS_ORIGINS=https://a.example,https://b.example\n"
        )
        settings = Settings()
        assert settings.max_body_bytes == 2048
        assert settings.cors_origins == ["https://a.example", "https://b.example"]

    def test_docs_can_be_turned_off(self, environment: pytest.MonkeyPatch) -> None:
        environment.setenv("TEAMNOTES_DOCS", "false")
        assert Settings().docs is False


class TestDatabaseURL:
    def test_hosted_postgres_url_maps_to_asyncpg_with_ssl(self) -> None:
        url = async_url(
            "postgres://user:pw@ep-1.aws.neon.tech/app?sslmode=require&channel_binding=require"
        )
        parts = urlsplit(url)
        assert parts.scheme == "postgresql+asyncpg"
        assert (parts.netloc, parts.path) == ("user:pw@ep-1.aws.neon.tech", "/app")
        assert parse_qsl(parts.query) == [("ssl", "require")]

    def test_other_query_parameters_are_kept(self) -> None:
        url = async_url("postgresql://u@h:5433/db?sslmode=verify-full&application_name=tn")
        assert urlsplit(url).scheme == "postgresql+asyncpg"
        assert dict(parse_qsl(urlsplit(url).query)) == {
            "ssl": "verify-full",
            "application_name": "tn",
        }

    def test_asyncpg_gets_ssl_and_no_channel_binding(self) -> None:
        url = async_url(
            "postgres://u:p@db.example:5432/app?sslmode=require&channel_binding=require"
        )
        engine = create_async_engine(url)
        try:
            _, kwargs = engine.dialect.create_connect_args(make_url(url))
        finally:
            engine.sync_engine.dispose()
        assert kwargs["ssl"] == "require"
        assert "channel_binding" not in kwargs
        assert (kwargs["host"], kwargs["port"], kwargs["database"]) == ("db.example", 5432, "app")

    def test_sqlite_maps_to_aiosqlite(self) -> None:
        assert (
            async_url("sqlite:///./data/teamnotes.db") == "sqlite+aiosqlite:///./data/teamnotes.db"
        )

    def test_other_databases_are_refused(self) -> None:
        with pytest.raises(ValueError, match="unsupported database URL"):
            async_url("mysql://u@h/db")
