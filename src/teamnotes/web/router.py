"""Serves the web app at `/` beside the API, as a client of the API only.

The app's HTML answers at `/`, `/invite` and every `/app/…` path (its own routes,
resolved in the browser); its files at `/app/assets/…` and `/app/vendor/…`. No API
path starts with `/app` or is `/` or `/invite`, so the app shadows none. The files
go out gzipped to clients that accept it, and revalidated (`no-cache`, with their
ETag) rather than refetched; the HTML itself is `no-store` like every response.
"""

import html
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teamnotes.config import Settings

_PACKAGE = files("teamnotes.web")
_CONFIG_MARK = "__TEAMNOTES_CONFIG__"
_PRELOAD_MARK = "<!-- __TEAMNOTES_MODULES__ -->"

# Scripts and styles only from this host, and none inline: an injected <script> or
# onclick= never runs. Images may come from anywhere https (a note's Markdown may
# show them); nothing else loads, and no page may frame the app.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_PAGE_HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    # Invitation and provider tokens travel in the fragment, which is never sent;
    # nothing of the app's addresses goes to the hosts of a note's links either.
    "Referrer-Policy": "no-referrer",
}


def client_config(settings: Settings) -> dict[str, Any]:
    """What the app needs to know of the deployment: which ways to sign in it offers."""
    provider = settings.web_provider_sign_in_url if settings.jwt_jwks_url else None
    return {"localAuth": settings.local_auth, "providerSignIn": provider}


def _modules() -> list[str]:
    """Every script of the app, by its address: the browser asks for them all at once
    (modulepreload) rather than one import level after the other."""
    found = []
    for directory, prefix in (("assets", "/app/assets"), ("vendor", "/app/vendor")):
        root = Path(str(_PACKAGE / directory))
        found += [f"{prefix}/{path.relative_to(root).as_posix()}" for path in root.rglob("*.js")]
    return sorted(found)


def index_page(settings: Settings) -> bytes:
    """The app's one HTML page, with the deployment's configuration in a <meta>."""
    template = (_PACKAGE / "index.html").read_text(encoding="utf-8")
    config = html.escape(json.dumps(client_config(settings)), quote=True)
    preloads = "\n".join(f'<link rel="modulepreload" href="{path}">' for path in _modules())
    return template.replace(_CONFIG_MARK, config).replace(_PRELOAD_MARK, preloads).encode()


class _Revalidated:
    """Static files that the browser keeps but asks about again each time (ETag)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_revalidated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Cache-Control"] = "no-cache"
                headers["X-Content-Type-Options"] = "nosniff"
            await send(message)

        await self.app(scope, receive, send_revalidated)


def _files(directory: str) -> ASGIApp:
    static = StaticFiles(directory=str(_PACKAGE / directory))
    return GZipMiddleware(_Revalidated(static), minimum_size=256)


def install_web_app(app: FastAPI, settings: Settings) -> None:
    """Mount the app's files and pages on `app`."""
    page = index_page(settings)
    # Mounted before the catch-all page below, so that they win for their prefixes.
    app.mount("/app/assets", _files("assets"), name="web-assets")
    app.mount("/app/vendor", _files("vendor"), name="web-vendor")

    async def index() -> HTMLResponse:
        return HTMLResponse(page, headers=_PAGE_HEADERS)

    for path in ("/", "/invite", "/app", "/app/{path:path}"):
        app.add_api_route(path, index, methods=["GET"], include_in_schema=False)
