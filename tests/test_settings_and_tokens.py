"""The token-signing secret (API.md §2): configured, or generated once and kept."""

import os
import stat
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from teamnotes.app import create_app
from teamnotes.auth.tokens import load_or_create_secret
from teamnotes.config import Settings
from tests.conftest import make_settings, migrate
from tests.factories import make_user


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment with no Team Notes settings, in a directory with no `.env`."""
    for name in list(os.environ):
        if name.startswith("TEAMNOTES_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def without_secret(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, jwt_secret=None)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """A umask that would leave a carelessly created file readable by everyone."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


class TestGeneratedSecret:
    @pytest.mark.usefixtures("environment", "permissive_umask")
    def test_is_written_to_the_data_dir_readable_by_the_owner_only(self, tmp_path: Path) -> None:
        data_dir = tmp_path / "data" / "nested"
        secret = load_or_create_secret(without_secret(data_dir))
        path = data_dir / "jwt_secret"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.read_text().strip() == secret
        assert len(secret.encode()) >= 32
        assert sorted(os.listdir(data_dir)) == ["jwt_secret"]

    @pytest.mark.usefixtures("environment")
    def test_the_next_start_reads_the_same_secret(self, tmp_path: Path) -> None:
        first = load_or_create_secret(without_secret(tmp_path))
        assert load_or_create_secret(without_secret(tmp_path)) == first
        assert load_or_create_secret(without_secret(tmp_path / "elsewhere")) != first

    @pytest.mark.usefixtures("environment")
    def test_concurrent_starts_agree_on_one_secret(self, tmp_path: Path) -> None:
        workers = 16
        for attempt in range(25):
            data_dir = tmp_path / f"attempt-{attempt}"
            settings = without_secret(data_dir)
            barrier = threading.Barrier(workers)

            def start(settings: Settings = settings, barrier: threading.Barrier = barrier) -> str:
                barrier.wait()
                return load_or_create_secret(settings)

            with ThreadPoolExecutor(max_workers=workers) as pool:
                secrets = list(pool.map(lambda _: start(), range(workers)))
            assert len(set(secrets)) == 1
            assert (data_dir / "jwt_secret").read_text().strip() == secrets[0]
            assert sorted(os.listdir(data_dir)) == ["jwt_secret"]  # no candidate left behind

    @pytest.mark.usefixtures("environment")
    def test_a_configured_secret_is_used_and_nothing_is_written(self, tmp_path: Path) -> None:
        configured = "c" * 32
        settings = Settings(data_dir=tmp_path, jwt_secret=configured)
        assert load_or_create_secret(settings) == configured
        assert not (tmp_path / "jwt_secret").exists()


class TestConfiguredSecret:
    @pytest.mark.parametrize(
        "secret", ["", "s" * 31, "é" * 15 + "s"], ids=["empty", "31-ascii", "31-bytes-utf8"]
    )
    def test_shorter_than_32_bytes_is_refused(
        self, environment: pytest.MonkeyPatch, secret: str
    ) -> None:
        with pytest.raises(ValidationError, match="at least 32 bytes"):
            Settings(jwt_secret=secret)
        environment.setenv("TEAMNOTES_JWT_SECRET", secret)
        with pytest.raises(ValidationError, match="at least 32 bytes"):
            Settings()

    @pytest.mark.parametrize("secret", ["s" * 32, "é" * 16], ids=["32-ascii", "32-bytes-utf8"])
    def test_32_bytes_is_enough(self, environment: pytest.MonkeyPatch, secret: str) -> None:
        environment.setenv("TEAMNOTES_JWT_SECRET", secret)
        configured = Settings().jwt_secret
        assert configured is not None
        assert configured.get_secret_value() == secret

    def test_is_not_shown_in_the_settings_repr(self, environment: pytest.MonkeyPatch) -> None:
        secret = "a-very-secret-value-of-32-bytes!"
        assert secret not in repr(Settings(jwt_secret=secret))


class TestSessionsSurviveARestart:
    """Without a configured secret, a restarted app accepts the tokens of the last one."""

    @pytest.fixture
    async def boot(self, tmp_path: Path) -> AsyncIterator[Callable[[Path], FastAPI]]:
        """Starts apps on one migrated database, each with the given data directory."""
        url = f"sqlite:///{tmp_path / 'restart.db'}"
        await migrate(url)
        started: list[FastAPI] = []

        def start(data_dir: Path) -> FastAPI:
            started.append(create_app(make_settings(url, data_dir, jwt_secret=None)))
            return started[-1]

        yield start
        for application in started:
            await application.state.database.dispose()

    @pytest.mark.usefixtures("environment")
    async def test_a_token_outlives_the_process_that_issued_it(
        self, boot: Callable[[Path], FastAPI], tmp_path: Path
    ) -> None:
        before = boot(tmp_path / "data")
        transport = httpx.ASGITransport(app=before)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            user = await make_user(http)

        after = boot(tmp_path / "data")
        stranger = boot(tmp_path / "other-data")
        for application, status in ((after, 200), (stranger, 401)):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                response = await http.get("/auth/me", headers=user.headers)
            assert response.status_code == status
