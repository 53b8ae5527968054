"""Interactive API docs that load nothing from any other host (API.md §5).

The Swagger UI and ReDoc bundles come from the `fastapi-offline` package and are
served by the service itself, so the docs work on a machine with no internet. Two
things make sure of it: ReDoc's one request elsewhere (the Redocly logo in its
footer) is taken out of the bundle as it is served, and every page carries a
Content-Security-Policy under which a browser loads nothing from another host.
"""

import base64
import hashlib
import re
from functools import cache
from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

_STATIC = files("fastapi_offline") / "static"
_ASSETS = "/docs/assets"
_REDOC_JS = "/docs/redoc.standalone.js"

# ReDoc draws its footer badge from Redocly's CDN, and has no option to hide it. An
# image that fails to load is left out (its onError), which `data:,` always does.
_REDOC_LOGO = '"https://cdn.redoc.ly/redoc/logo-mini.svg"'
_NO_IMAGE = '"data:,"'

# Styles: both UIs set inline style attributes, and ReDoc writes <style> elements.
# Workers: ReDoc's search runs in a worker made from a blob. Scripts: this host, and
# the pages' own inline scripts by their hashes.
_POLICY = (
    "default-src 'none'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src blob:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


class _Page:
    """A docs page, built once, with the policy that allows exactly its inline scripts."""

    def __init__(self, html: HTMLResponse) -> None:
        self.body = bytes(html.body)
        scripts = "".join(
            f" 'sha256-{base64.b64encode(hashlib.sha256(script).digest()).decode()}'"
            for script in _INLINE_SCRIPT.findall(self.body)
        )
        self.policy = _POLICY.format(scripts=scripts)

    def response(self) -> HTMLResponse:
        # A new response each time: the middleware adds headers to the one it sends.
        return HTMLResponse(self.body, headers={"Content-Security-Policy": self.policy})


@cache
def _redoc_bundle() -> bytes:
    bundle = (_STATIC / "redoc.standalone.js").read_text(encoding="utf-8")
    return bundle.replace(_REDOC_LOGO, _NO_IMAGE).encode()


def install_docs(app: FastAPI) -> None:
    assert app.openapi_url is not None
    openapi_url = app.openapi_url
    app.mount(_ASSETS, StaticFiles(directory=str(_STATIC)), name="docs-assets")
    swagger_ui_page = _Page(
        get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{_ASSETS}/favicon.png",
            # Swagger UI otherwise sends the schema to validator.swagger.io for a badge.
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
        )
    )
    redirect_page = _Page(get_swagger_ui_oauth2_redirect_html())
    redoc_page = _Page(
        get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=_REDOC_JS,
            redoc_favicon_url=f"{_ASSETS}/favicon.png",
            with_google_fonts=False,
        )
    )

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return swagger_ui_page.response()

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return redirect_page.response()

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return redoc_page.response()

    @app.get(_REDOC_JS, include_in_schema=False)
    async def redoc_bundle() -> Response:
        return Response(_redoc_bundle(), media_type="text/javascript")
