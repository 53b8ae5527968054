"""The application factory: settings in, a ready ASGI app out."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from teamnotes import __version__
from teamnotes.auth.router import router as auth_router
from teamnotes.auth.tokens import TokenIssuer, load_or_create_secret
from teamnotes.config import Settings, get_settings
from teamnotes.cors import ContractCORSMiddleware
from teamnotes.db import Database, is_memory_sqlite
from teamnotes.docs import install_docs
from teamnotes.errors import install_error_handlers
from teamnotes.health import router as health_router
from teamnotes.logs import configure_logging
from teamnotes.middleware import RequestContextMiddleware
from teamnotes.migrations import upgrade_to_head
from teamnotes.notes.router import router as notes_router

DESCRIPTION = """Markdown notes and a task list for every user.

Authenticate with `Authorization: Bearer <token>` from `POST /auth/token`. Errors
share one body: `{detail, error_code, field, request_id}`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    database = Database(settings.database_url, pool_size=settings.db_pool_size)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if is_memory_sqlite(settings.database_url):
            # Nothing outlives this process's in-memory database: migrate it here.
            await upgrade_to_head(database.writer)
        try:
            yield
        finally:
            await database.dispose()

    app = FastAPI(
        title="Team Notes",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs else None,
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.token_issuer = TokenIssuer(
        secret=load_or_create_secret(settings),
        access_ttl=timedelta(seconds=settings.access_token_ttl),
    )

    install_error_handlers(app)
    for router in (health_router, auth_router, notes_router):
        app.include_router(router)
    if settings.docs:
        install_docs(app)

    # Added last, runs first: request ids and error bodies cover CORS refusals too.
    app.add_middleware(
        ContractCORSMiddleware,
        origins=settings.cors_origins,
        allow_credentials=settings.cors_allow_credentials,
    )
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)
    return app
