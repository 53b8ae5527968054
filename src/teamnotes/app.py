"""The application factory: settings in, a ready ASGI app out."""

import asyncio
import contextlib
import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from teamnotes import __version__
from teamnotes.auth import throttle
from teamnotes.auth.api_keys_check import ApiKeyChecker
from teamnotes.auth.api_keys_router import router as api_keys_router
from teamnotes.auth.dependencies import Authenticator
from teamnotes.auth.external import ExternalVerifier, KeySet
from teamnotes.auth.external_accounts import ExternalAccounts
from teamnotes.auth.router import router as auth_router
from teamnotes.auth.tokens import TokenIssuer, load_or_create_secret
from teamnotes.changes import streams
from teamnotes.changes.events import EventHub
from teamnotes.changes.retention import pruning
from teamnotes.changes.router import routers as changes_routers
from teamnotes.changes.transports import transport_for
from teamnotes.changes.wakeups import Wakeups
from teamnotes.config import Settings, get_settings
from teamnotes.health import router as health_router
from teamnotes.housekeeping import Job, run_periodically
from teamnotes.kit import idempotency
from teamnotes.kit.cors import ContractCORSMiddleware
from teamnotes.kit.db import Database
from teamnotes.kit.docs import install_docs
from teamnotes.kit.errors import error_responses
from teamnotes.kit.handlers import install_error_handlers
from teamnotes.kit.logs import configure_logging
from teamnotes.kit.metrics import forget_this_process, sample_pools_forever
from teamnotes.kit.metrics import router as metrics_router
from teamnotes.kit.middleware import HeadAsGet, RequestContextMiddleware
from teamnotes.kit.routing import add_routes
from teamnotes.kit.urls import is_memory_sqlite
from teamnotes.migrations import upgrade_to_head
from teamnotes.notes import revisions
from teamnotes.notes.links_router import public_router
from teamnotes.notes.router import routers as notes_routers
from teamnotes.portability.router import IMPORT_PATHS
from teamnotes.portability.router import routers as portability_routers
from teamnotes.tasks.router import routers as tasks_routers
from teamnotes.trash.router import routers as trash_routers
from teamnotes.trash.service import purging
from teamnotes.web.router import install_web_app
from teamnotes.webhooks import outbox
from teamnotes.webhooks.dispatcher import Dispatcher, RetryPolicy
from teamnotes.webhooks.router import router as webhooks_router
from teamnotes.webhooks.sender import Sender
from teamnotes.workspaces.dependencies import check_policy
from teamnotes.workspaces.policy import KEY_SCOPE
from teamnotes.workspaces.router import router as workspaces_router

DESCRIPTION = """Markdown notes and task lists for people and teams.

Authenticate with `Authorization: Bearer <token>` from `POST /auth/token`. Errors
share one body: `{detail, error_code, field, request_id}`.
"""


def housekeeping_jobs(settings: Settings) -> list[Job]:
    """What expires, purged by the server every TEAMNOTES_HOUSEKEEPING_INTERVAL seconds
    and by `teamnotes purge`: one line per job."""
    return [
        Job("idempotency_keys", idempotency.purge_expired),
        Job("login_failures", throttle.purge_expired),
        Job("change_tombstones", pruning(timedelta(days=settings.changes_retention_days))),
        Job("event_streams", streams.purge_expired),
        Job("trash", purging(timedelta(days=settings.trash_retention_days))),
        Job("webhook_deliveries", outbox.pruning(timedelta(days=settings.webhooks_retention_days))),
    ]


def external_verifier(settings: Settings) -> ExternalVerifier | None:
    if not settings.jwt_jwks_url:
        return None
    # Settings insists on both whenever a JWKS URL is set.
    assert settings.jwt_issuer
    assert settings.jwt_audience
    return ExternalVerifier(
        KeySet(
            settings.jwt_jwks_url,
            refetch_cooldown=settings.jwks_refetch_cooldown,
            fetch_timeout=settings.jwks_fetch_timeout,
            max_age=settings.jwks_max_age,
        ),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        algorithms=settings.jwt_algorithms,
    )


def webhook_dispatcher(settings: Settings, database: Database) -> Dispatcher:
    sender = Sender(
        timeout=settings.webhooks_timeout,
        connections=settings.webhooks_concurrency,
        allow_private=settings.webhooks_allow_private,
    )
    policy = RetryPolicy(
        first_retry=settings.webhooks_first_retry,
        retry_for=settings.webhooks_retry_for,
        disable_after=settings.webhooks_disable_after,
    )
    return Dispatcher(
        database,
        sender,
        policy,
        concurrency=settings.webhooks_concurrency,
        poll_interval=settings.webhooks_poll_interval,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_format)
    database = Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout,
        busy_timeout=settings.db_busy_timeout,
        session_info=revisions.session_info(settings),
    )
    verifier = external_verifier(settings)
    events = EventHub(
        database,
        Wakeups(database, transport_for(database.url, settings.redis_url)),
        keepalive=settings.sse_keepalive,
        per_user=settings.sse_streams_per_user,
    )
    login_failures = throttle.failure_store(settings.redis_url, database.write_session)
    keys = ApiKeyChecker(database, KEY_SCOPE)
    dispatcher = webhook_dispatcher(settings, database)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if is_memory_sqlite(settings.database_url):
            # Nothing outlives this process's in-memory database: migrate it here.
            await upgrade_to_head(database.writer)
        sampler = asyncio.create_task(sample_pools_forever(database)) if settings.metrics else None
        interval = timedelta(seconds=settings.housekeeping_interval)
        housekeeper = (
            asyncio.create_task(run_periodically(database, housekeeping_jobs(settings), interval))
            if interval
            else None
        )
        events.start()
        dispatcher.start()
        try:
            yield
        finally:
            await dispatcher.stop()
            await events.stop()
            if sampler is not None:
                sampler.cancel()
                forget_this_process()
            if housekeeper is not None:
                housekeeper.cancel()
                # A purge cut off mid-way rolls back; the database goes only after it.
                with contextlib.suppress(asyncio.CancelledError):
                    await housekeeper
            if verifier is not None:
                await verifier.key_set.close()
            await login_failures.close()
            await keys.close()
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
    issuer = TokenIssuer(
        secret=load_or_create_secret(settings),
        access_ttl=timedelta(seconds=settings.access_token_ttl),
        refresh_ttl=timedelta(seconds=settings.refresh_token_ttl),
    )
    app.state.token_issuer = issuer
    app.state.authenticator = Authenticator(issuer, verifier, keys)
    app.state.external_accounts = ExternalAccounts(database)
    app.state.invitation_ttl = timedelta(seconds=settings.invitation_ttl)
    app.state.events = events
    app.state.trash_retention = timedelta(days=settings.trash_retention_days)
    app.state.max_import_bytes = settings.max_import_bytes
    app.state.login_failures = login_failures
    app.state.trusted_proxies = [
        ipaddress.ip_network(proxy, strict=False) for proxy in settings.trusted_proxies
    ]
    app.state.refresh_reuse_grace = timedelta(seconds=settings.refresh_reuse_grace)

    install_error_handlers(app)
    # The hottest first: a request is matched against the routes in this order.
    database_routers = (
        *notes_routers,
        *tasks_routers,
        *changes_routers,
        workspaces_router,
        *trash_routers,
        public_router,
        auth_router,
        api_keys_router,
        *portability_routers,
        webhooks_router,
    )
    # Every route of these reads or writes the database, which may be out of reach.
    add_routes(app, database_routers, responses=error_responses(503))
    add_routes(app, [health_router])
    if settings.metrics:
        app.include_router(metrics_router)
    if settings.docs:
        install_docs(app)
    if settings.web_app:
        install_web_app(app, settings)

    # Innermost: routes see HEAD as GET, the layers around them still see HEAD.
    app.add_middleware(HeadAsGet)
    # Added last, runs first: request ids and error bodies cover CORS refusals too.
    app.add_middleware(
        ContractCORSMiddleware,
        origins=settings.cors_origins,
        allow_credentials=settings.cors_allow_credentials,
    )
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        # An import's body is a zip of a whole workspace (API.md §10).
        body_limits=[(IMPORT_PATHS, settings.max_import_bytes)],
        metrics=settings.metrics,
    )
    # Every route under a workspace is guarded by the access gate, as the policy says.
    check_policy(app.routes)
    return app
