"""Who may scrape `/metrics`: the holder of TEAMNOTES_METRICS_TOKEN, or, with no token
configured, a client on the loopback interface — the socket's peer, whatever
X-Forwarded-For says."""

import logging
import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from teamnotes.app import create_app
from teamnotes.config import Settings
from teamnotes.kit.logs import JSONFormatter
from tests.conftest import make_settings

TOKEN = secrets.token_urlsafe(32)
OUTSIDER = "10.1.2.3"


@pytest.fixture
async def make_app(database_url: str, tmp_path: Path) -> AsyncIterator[Callable[..., FastAPI]]:
    """Apps of the test's settings, on each engine."""
    apps: list[FastAPI] = []

    def make(**overrides: object) -> FastAPI:
        apps.append(create_app(make_settings(database_url, tmp_path, **overrides)))
        return apps[-1]

    yield make
    for application in apps:
        await application.state.database.dispose()


async def scrape(
    application: FastAPI, address: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    transport = httpx.ASGITransport(app=application, client=(address, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.get("/metrics", headers=headers)


def assert_refused(response: httpx.Response, status: int, error_code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == error_code
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert "teamnotes_" not in response.text


class TestWithoutAToken:
    @pytest.mark.parametrize("address", ["127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"])
    async def test_a_loopback_client_is_answered(
        self, make_app: Callable[..., FastAPI], address: str
    ) -> None:
        response = await scrape(make_app(), address)
        assert response.status_code == 200
        assert "teamnotes_http_requests_total" in response.text

    @pytest.mark.parametrize("address", [OUTSIDER, "192.168.1.20", "2001:db8::1", "testclient"])
    async def test_any_other_client_gets_404(
        self, make_app: Callable[..., FastAPI], address: str
    ) -> None:
        assert_refused(await scrape(make_app(), address), 404, "not_found")

    async def test_x_forwarded_for_does_not_make_a_client_local(
        self, make_app: Callable[..., FastAPI]
    ) -> None:
        # Even from a proxy trusted to name the client (for the login throttle).
        application = make_app(trusted_proxies=[OUTSIDER])
        response = await scrape(application, OUTSIDER, {"X-Forwarded-For": "127.0.0.1"})
        assert_refused(response, 404, "not_found")


class TestWithAToken:
    @pytest.mark.parametrize("address", [OUTSIDER, "127.0.0.1"])
    async def test_the_token_is_answered_from_anywhere(
        self, make_app: Callable[..., FastAPI], address: str
    ) -> None:
        application = make_app(metrics_token=TOKEN)
        response = await scrape(application, address, {"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200
        assert "teamnotes_http_requests_total" in response.text

    @pytest.mark.parametrize("address", [OUTSIDER, "127.0.0.1"])
    async def test_no_token_is_401_even_from_loopback(
        self, make_app: Callable[..., FastAPI], address: str
    ) -> None:
        response = await scrape(make_app(metrics_token=TOKEN), address)
        assert_refused(response, 401, "not_authenticated")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    @pytest.mark.parametrize(
        "authorization",
        [f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Basic {TOKEN}", f"Bearer  {TOKEN}", TOKEN],
    )
    async def test_a_wrong_token_is_401(
        self, make_app: Callable[..., FastAPI], authorization: str
    ) -> None:
        application = make_app(metrics_token=TOKEN)
        response = await scrape(application, OUTSIDER, {"Authorization": authorization})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json()["error_code"] in ("not_authenticated", "invalid_token")

    async def test_the_token_never_reaches_the_logs(
        self, make_app: Callable[..., FastAPI], logged: list[logging.LogRecord]
    ) -> None:
        application = make_app(metrics_token=TOKEN)
        for sent in (TOKEN, f"{TOKEN}x"):
            response = await scrape(application, OUTSIDER, {"Authorization": f"Bearer {sent}"})
            assert TOKEN not in response.text
        assert len(logged) == 2  # one access line per scrape
        for record in logged:
            assert TOKEN not in JSONFormatter().format(record)


class TestTheSetting:
    def test_is_read_from_the_environment_as_a_secret(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("TEAMNOTES_METRICS_TOKEN", TOKEN)
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert settings.metrics_token is not None
        assert settings.metrics_token.get_secret_value() == TOKEN
        assert TOKEN not in repr(settings)

    def test_empty_means_unset(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TEAMNOTES_METRICS_TOKEN", "")
        assert Settings(_env_file=None).metrics_token is None  # type: ignore[call-arg]

    def test_a_short_token_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="at least 24 characters"):
            Settings(metrics_token="too-short-to-be-safe")
