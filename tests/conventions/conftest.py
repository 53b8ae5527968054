from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from fastapi import FastAPI

from teamnotes.app import create_app
from tests.conftest import make_settings


@pytest.fixture
async def make_app(tmp_path: Path) -> AsyncIterator[Callable[..., FastAPI]]:
    """Apps with settings of the test's choosing, on a SQLite file of their own."""
    apps: list[FastAPI] = []

    def make(database_url: str | None = None, **overrides: object) -> FastAPI:
        url = database_url or f"sqlite:///{tmp_path / f'app{len(apps)}.db'}"
        application = create_app(make_settings(url, tmp_path / "data", **overrides))
        apps.append(application)
        return application

    yield make
    for application in apps:
        await application.state.database.dispose()
