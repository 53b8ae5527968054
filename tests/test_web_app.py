"""The web app as the server serves it (issue 16): its pages and files, their
headers, what it loads, and that it shadows no API path. In a browser:
tests/browser/."""

import gzip
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from pydantic import ValidationError

from teamnotes.app import create_app
from teamnotes.web.router import POLICY
from tests.conftest import make_settings
from tests.errors import assert_error
from tests.test_docs import ABSOLUTE, references

PAGES = ["/", "/invite", "/app", "/app/w/0190a6a0-0000-7000-8000-000000000000/notes/x"]
# ES module imports: `from"./x.js"`, `from '../y.js'`, `import "./z.js"`.
IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*["'](\.{1,2}/[^"']+)["']""")
# XML namespaces (the icon's, and Preact's createElementNS): names, never addresses.
NEVER_LOADED = {
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/1998/Math/MathML",
}


@pytest.fixture
async def configured(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app made with other settings: pass them to `configured.make`."""
    applications = []

    async def make(**overrides: object) -> httpx.AsyncClient:
        settings = make_settings(f"sqlite:///{tmp_path / 'web.db'}", tmp_path, **overrides)
        application = create_app(settings)
        applications.append(application)
        transport = httpx.ASGITransport(app=application)
        return httpx.AsyncClient(transport=transport, base_url="http://test")

    yield make  # type: ignore[misc]
    for application in applications:
        await application.state.database.dispose()


def config_of(page: str) -> dict[str, object]:
    match = re.search(r'<meta name="teamnotes-config" content="([^"]*)">', page)
    assert match is not None
    return dict(json.loads(match[1].replace("&quot;", '"').replace("&amp;", "&")))


async def everything_loaded(client: httpx.AsyncClient) -> dict[str, httpx.Response]:
    """The page and every file it loads, following module imports: by path."""
    loaded: dict[str, httpx.Response] = {}
    waiting = ["/"]
    while waiting:
        path = waiting.pop()
        if path in loaded:
            continue
        response = await client.get(path)
        assert response.status_code == 200, path
        loaded[path] = response
        found = references(response.text) if path == "/" else []
        if path.endswith(".js"):
            found += IMPORT.findall(response.text)
        for ref in found:
            parts = urlsplit(ref)
            assert (parts.scheme, parts.netloc) == ("", ""), ref
            waiting.append(urljoin(path, ref))
    return loaded


class TestPages:
    @pytest.mark.parametrize("path", PAGES)
    async def test_every_app_address_serves_the_app(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert '<script type="module" src="/app/assets/main.js">' in response.text
        assert response.headers["Content-Security-Policy"] == POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"

    async def test_the_policy_allows_no_inline_script_and_no_other_host(self) -> None:
        policy = {directive.split()[0]: directive.split()[1:] for directive in POLICY.split("; ")}
        assert policy["default-src"] == ["'none'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]

    async def test_the_page_has_no_inline_script_or_handler(
        self, client: httpx.AsyncClient
    ) -> None:
        page = (await client.get("/")).text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
        assert re.findall(r"\son[a-z]+\s*=", page) == []

    async def test_the_api_keeps_its_paths(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get("/notes"), 401, "not_authenticated")
        assert_error(await client.get("/nowhere"), 404, "not_found")
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        paths = (await client.get("/openapi.json")).json()["paths"]
        assert not [path for path in paths if path == "/" or path.startswith(("/app", "/invite"))]


class TestFiles:
    async def test_everything_the_app_loads_is_served_from_here(
        self, client: httpx.AsyncClient
    ) -> None:
        loaded = await everything_loaded(client)
        scripts = [path for path in loaded if path.endswith(".js")]
        assert "/app/vendor/preact.module.js" in scripts
        assert "/app/assets/screens/editor.js" in scripts
        for path in scripts:
            assert loaded[path].headers["Content-Type"].startswith("text/javascript"), path
        urls = {url for response in loaded.values() for url in ABSOLUTE.findall(response.text)}
        assert urls == NEVER_LOADED

    async def test_files_go_gzipped_and_are_revalidated(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/app/assets/app.css", headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.headers["Content-Type"].startswith("text/css")
        assert b":root" in response.content  # httpx decoded it
        raw = await client.get("/app/assets/app.css", headers={"Accept-Encoding": "identity"})
        assert "Content-Encoding" not in raw.headers
        assert len(gzip.compress(raw.content)) < len(raw.content)
        again = await client.get(
            "/app/assets/app.css", headers={"If-None-Match": response.headers["ETag"]}
        )
        assert again.status_code == 304

    @pytest.mark.parametrize("path", ["/app/assets/nothing.js", "/app/vendor/nothing.js"])
    async def test_a_missing_file_is_the_contracts_404(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        assert_error(await client.get(path), 404, "not_found")


class TestSettings:
    async def test_the_page_tells_the_app_how_to_sign_in(self, client: httpx.AsyncClient) -> None:
        assert config_of((await client.get("/")).text) == {
            "localAuth": True,
            "providerSignIn": None,
        }

    async def test_a_provider_sign_in_page_is_offered_when_configured(
        self, configured: object
    ) -> None:
        http = await configured(  # type: ignore[operator]
            local_auth=False,
            jwt_jwks_url="https://id.example.com/jwks",
            jwt_issuer="https://id.example.com",
            jwt_audience="teamnotes",
            web_provider_sign_in_url='https://id.example.com/sign-in?to="x"&y=1',
        )
        async with http:
            page = (await http.get("/")).text
        assert config_of(page) == {
            "localAuth": False,
            "providerSignIn": 'https://id.example.com/sign-in?to="x"&y=1',
        }

    @pytest.mark.parametrize("path", ["/", "/invite", "/app/w/x/notes", "/app/assets/main.js"])
    async def test_turned_off_only_the_api_answers(self, configured: object, path: str) -> None:
        http = await configured(web_app=False)  # type: ignore[operator]
        async with http:
            assert_error(await http.get(path), 404, "not_found")
            assert (await http.get("/healthz")).status_code == 200

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            (
                {"web_provider_sign_in_url": "https://id.example.com"},
                "needs TEAMNOTES_JWT_JWKS_URL",
            ),
            (
                {
                    "web_provider_sign_in_url": "javascript:alert(1)",
                    "jwt_jwks_url": "https://id.example.com/jwks",
                    "jwt_issuer": "https://id.example.com",
                    "jwt_audience": "teamnotes",
                },
                "must be an http",
            ),
        ],
    )
    def test_a_sign_in_page_needs_a_provider_and_a_web_address(
        self, tmp_path: Path, overrides: dict[str, object], message: str
    ) -> None:
        with pytest.raises(ValidationError, match=message):
            make_settings("sqlite://", tmp_path, **overrides)
