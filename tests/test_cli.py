"""The `teamnotes` command, run in this process (real servers are in tests/server_processes)."""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from teamnotes.cli import MULTIPROCESS_DIR, _prepare_metrics_directory, main
from teamnotes.config import get_settings


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """get_settings() reads the environment once: read it anew around each test."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class TestOpenAPICommand:
    def test_prints_the_openapi_document(
        self,
        capsys: pytest.CaptureFixture[str],
        fresh_settings: None,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("TEAMNOTES_DATA_DIR", str(tmp_path))
        main(["openapi"])
        document = json.loads(capsys.readouterr().out)
        assert document["info"]["title"] == "Team Notes"
        assert "/notes/{note_id}" in document["paths"]


class TestMigrateCommand:
    def test_builds_the_schema_of_a_new_sqlite_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
    ) -> None:
        database = tmp_path / "nested" / "teamnotes.db"
        database.parent.mkdir()
        monkeypatch.setenv("TEAMNOTES_DATABASE_URL", f"sqlite:///{database}")
        monkeypatch.setenv("TEAMNOTES_DATA_DIR", str(tmp_path / "data"))
        main(["migrate"])
        main(["migrate"])  # a second run finds nothing to do
        tables = set(inspect(create_engine(f"sqlite:///{database}")).get_table_names())
        assert {"note", "task", "auth_user", "alembic_version"} <= tables
        assert (tmp_path / "data").is_dir()

    def test_leaves_an_in_memory_database_to_each_process(
        self, monkeypatch: pytest.MonkeyPatch, fresh_settings: None, tmp_path: Path
    ) -> None:
        monkeypatch.setenv("TEAMNOTES_DATABASE_URL", "sqlite://")
        monkeypatch.setenv("TEAMNOTES_DATA_DIR", str(tmp_path))
        main(["migrate"])  # nothing outlives the command: it must not fail, nor write

    def test_a_command_is_required(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as exit_info:
            main([])
        assert exit_info.value.code == 2
        assert "serve" in capsys.readouterr().err


class TestMetricsDirectory:
    def test_a_configured_directory_is_emptied(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        directory = tmp_path / "metrics"
        directory.mkdir()
        (directory / "counter_123.db").write_bytes(b"stale samples")
        monkeypatch.setenv(MULTIPROCESS_DIR, str(directory))
        _prepare_metrics_directory()
        assert directory.is_dir()
        assert list(directory.iterdir()) == []

    def test_without_one_a_fresh_directory_is_made(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv(MULTIPROCESS_DIR, raising=False)
        _prepare_metrics_directory()
        made = Path(os.environ[MULTIPROCESS_DIR])
        assert made.is_dir()
        assert list(made.iterdir()) == []
        made.rmdir()
