from collections.abc import Iterator
from pathlib import Path

import pytest

from teamnotes.config import get_settings


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    """The commands read the deployment's settings from the environment: set them
    there (`configured.setenv`), and have them read anew."""
    monkeypatch.setenv("TEAMNOTES_DATA_DIR", str(tmp_path / "cli-data"))
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
