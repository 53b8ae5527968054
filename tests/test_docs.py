"""The interactive docs load nothing from any host but the service (API.md §5).

Without a browser: every page is fetched with every asset it references, and the
page and the assets are searched for absolute URLs. The bundles hold many that no
page ever requests (XML namespaces, schema identifiers, links in error messages);
those are listed below, each with the reason, and anything else fails. The pages'
Content-Security-Policy then makes browsers refuse any other host all the same.
"""

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from teamnotes.app import create_app
from tests.conftest import make_settings
from tests.conventions.support import assert_error_body

PAGES = ["/docs", "/redoc", "/docs/oauth2-redirect"]

REFERENCE = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?)([^"'\s)>]+)""", re.I)
# With a scheme, or protocol-relative (`//host.tld/…`, which the page's scheme completes).
ABSOLUTE = re.compile(
    r"""(?:https?:)?//[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b[^\s"'`)<>\\]*""", re.I
)

NEVER_LOADED = {
    # XML namespaces (xmlns, createElementNS): names, never addresses.
    "http://www.w3.org/1998/Math/MathML",
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/XML/1998/namespace",
    # JSON Schema and OpenAPI identifiers ($schema, $id, dialects, vocabularies):
    # compared as strings by the validators, never fetched.
    "http://json-schema.org/draft-04/schema#",
    "http://json-schema.org/draft-06/schema#",
    "http://json-schema.org/draft-07/schema#",
    "http://json-schema.org/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/meta/applicator",
    "https://json-schema.org/draft/2020-12/meta/content",
    "https://json-schema.org/draft/2020-12/meta/core",
    "https://json-schema.org/draft/2020-12/meta/format-annotation",
    "https://json-schema.org/draft/2020-12/meta/meta-data",
    "https://json-schema.org/draft/2020-12/meta/unevaluated",
    "https://json-schema.org/draft/2020-12/meta/validation",
    "https://json-schema.org/draft/2020-12/schema",
    "https://json-schema.org/draft/2020-12/vocab/applicator",
    "https://json-schema.org/draft/2020-12/vocab/content",
    "https://json-schema.org/draft/2020-12/vocab/core",
    "https://json-schema.org/draft/2020-12/vocab/format-annotation",
    "https://json-schema.org/draft/2020-12/vocab/meta-data",
    "https://json-schema.org/draft/2020-12/vocab/unevaluated",
    "https://json-schema.org/draft/2020-12/vocab/validation",
    "https://raw.githubusercontent.com/ajv-validator/ajv/master/lib/refs/data.json#",
    "https://spec.openapis.org/oas/3.1/dialect/base",
    "https://spec.openapis.org/oas/3.2/schema/2025-09-17",
    "https://redocly.com/sso/teams",  # a default in Redocly's config schema
    # Links a reader may follow (the ReDoc footer, a spec's license by SPDX id,
    # hashtags in Markdown), not loads; and the base that swagger-ui resolves
    # relative URLs against as strings.
    "https://redocly.com/redoc/",
    "https://spdx.org/licenses/${a}.html",
    "https://instagram.com/",
    "https://instagram.com/explore/tags/",
    "https://soundcloud.com/",
    "https://twitter.com/",
    "https://twitter.com/hashtag/",
    "https://www.facebook.com/hashtag/",
    "https://www.tiktok.com/@",
    "https://www.tiktok.com/tag/",
    "https://swagger.io",
    "https://vladimirgorej.com",
    # The schema validator badge: the /docs page sets validatorUrl to null.
    "https://validator.swagger.io/validator",
    # Example values generated for `format: uri` and friends, shown as text.
    "http://example.com",
    "http://example.com/entity/1",
    "http://example.com/{endpoint}",
    "https://example.com/",
    "https://example.com/dictionary/{term:1}/{term}",
    # In error messages, comments and license notices.
    "http://fb.me/use-check-prop-types",
    "https://reactjs.org/docs/error-decoder.html?invariant=",
    "https://redux.js.org/Errors?code=${s}",
    "https://git.io/JUIaE#",
    "https://github.com/markedjs/marked.",
    "https://github.com/mermade/oas-kit",
    "https://github.com/mobxjs/mobx/blob/main/packages/mobx/src/errors.ts",
    "https://github.com/styled-components/polished/blob/main/src/internalHelpers/errors.md#",
    "https://github.com/highlightjs/highlight.js/issues/2277",
    "https://github.com/highlightjs/highlight.js/issues/2534",
    "https://github.com/highlightjs/highlight.js/issues/2559",
    "https://github.com/highlightjs/highlight.js/pull/2844",
    "https://github.com/zloirock/core-js",
    "https://github.com/zloirock/core-js/blob/v3.40.0/LICENSE",
    "https://marked.js.org/#/USING_ADVANCED.md#options",
    "https://redocly.com/docs/cli/",
    "https://stackoverflow.com/a/31732902/1749888",
    "https://datatracker.ietf.org/doc/html/rfc2616#section-2.2",
    "https://datatracker.ietf.org/doc/html/rfc3986#section-2.1",
    "https://datatracker.ietf.org/doc/html/rfc3986#section-2.2",
    "https://datatracker.ietf.org/doc/html/rfc3986#section-2.3",
    "https://datatracker.ietf.org/doc/html/rfc3986#section-3.3",
    "https://datatracker.ietf.org/doc/html/rfc5234#appendix-B.1",
    "https://datatracker.ietf.org/doc/html/rfc6265#section-2.2",
    "https://datatracker.ietf.org/doc/html/rfc6265#section-4.1.1",
    "https://datatracker.ietf.org/doc/html/rfc6265#section-4.2.1",
    "https://datatracker.ietf.org/doc/html/rfc6901",
    "https://datatracker.ietf.org/doc/html/rfc6901#section-4",
    "https://datatracker.ietf.org/doc/html/rfc9110#section-5.6.2",
    "https://www.rfc-editor.org/errata/eid5518",
    "https://www.rfc-editor.org/errata/eid6937",
    "https://www.rfc-editor.org/errata/eid8242",
    "https://www.rfc-editor.org/rfc/rfc6570#section-1.5",
    "https://www.rfc-editor.org/rfc/rfc6570#section-2",
    "https://www.rfc-editor.org/rfc/rfc6570#section-2.1",
    # Not a URL: the end of regular expression literals, `/^image\//i.test(o)`.
    "//i.test(o",
}


def references(text: str) -> list[str]:
    return REFERENCE.findall(text)


async def served(client: httpx.AsyncClient, page: str) -> dict[str, str]:
    """The page and every asset it references, by path: what a browser would load."""
    response = await client.get(page)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    loaded = {page: response.text}
    for ref in references(response.text):
        parts = urlsplit(ref)
        assert (parts.scheme, parts.netloc) == ("", ""), ref
        asset = await client.get(ref)
        assert asset.status_code == 200, ref
        loaded[ref] = asset.text
        if ref.endswith(".css"):
            for inner in references(asset.text):
                assert urlsplit(inner).scheme in ("", "data"), inner
                assert not urlsplit(inner).netloc, inner
    return loaded


class TestDocs:
    async def test_pages_and_their_assets_load_nothing_from_another_host(
        self, client: httpx.AsyncClient
    ) -> None:
        where: dict[str, str] = {}
        for page in PAGES:
            loaded = await served(client, page)
            if page != "/docs/oauth2-redirect":
                assert any(path.endswith(".js") for path in loaded), page
            for path, text in loaded.items():
                for url in ABSOLUTE.findall(text):
                    where.setdefault(url, path)
        unexplained = {url: path for url, path in where.items() if url not in NEVER_LOADED}
        assert unexplained == {}, "absolute URLs a page may load: explain them or remove them"
        # An entry that no longer occurs must go, or the list stops meaning anything.
        assert NEVER_LOADED - where.keys() == set()

    @pytest.mark.parametrize("page", PAGES)
    async def test_browsers_are_told_to_load_from_this_host_only(
        self, client: httpx.AsyncClient, page: str
    ) -> None:
        response = await client.get(page)
        policy = {
            directive.split()[0]: set(directive.split()[1:])
            for directive in response.headers["Content-Security-Policy"].split(";")
        }
        assert policy["default-src"] == {"'none'"}
        inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
        hashes = {
            f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
            for script in inline
        }
        # Exactly the page's own inline scripts run, beside this host's files.
        assert policy["script-src"] == {"'self'", *hashes}
        allowed = {
            "style-src": {"'self'", "'unsafe-inline'"},
            "img-src": {"'self'", "data:"},
            "worker-src": {"blob:"},
            "base-uri": {"'none'"},
            "frame-ancestors": {"'none'"},
        }
        for directive, sources in policy.items():
            if directive not in ("default-src", "script-src"):
                assert sources <= allowed.get(directive, {"'self'"}), directive

    async def test_swagger_ui_sends_nothing_to_a_validator(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/docs")
        assert '"validatorUrl": null' in response.text

    async def test_openapi_document_is_served(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/openapi.json")
        assert response.status_code == 200
        document = response.json()
        assert document["openapi"].startswith("3.")
        assert document["info"]["title"] == "Team Notes"
        assert "/notes" in document["paths"]

    @pytest.mark.parametrize(
        "path",
        [
            "/docs",
            "/redoc",
            "/openapi.json",
            "/docs/oauth2-redirect",
            "/docs/assets/swagger-ui.css",
            "/docs/redoc.standalone.js",
        ],
    )
    async def test_turned_off_they_are_404(self, tmp_path: Path, path: str) -> None:
        settings = make_settings(f"sqlite:///{tmp_path / 'off.db'}", tmp_path, docs=False)
        application = create_app(settings)
        try:
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                response = await http.get(path)
        finally:
            await application.state.database.dispose()
        assert_error_body(response, 404, "not_found")
