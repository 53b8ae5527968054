"""What every endpoint shares (API.md §1, §5, §6): request ids, the error body, body
limits, CORS, settings and probes (the offline docs: test_docs.py)."""

import json
import logging
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.types import Message, Receive, Scope, Send

from teamnotes import __version__
from teamnotes.app import create_app
from teamnotes.config import Settings
from teamnotes.kit.db import async_url
from teamnotes.kit.middleware import RequestContextMiddleware
from tests.conftest import make_settings, migrate
from tests.factories import make_note, token_user

SANE_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
ALLOWED_ORIGIN = "http://localhost:3000"
CORS_HEADERS = {
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
    "x-request-id",
}
EXPOSED_HEADERS = {"etag", "location", "x-request-id", "retry-after"}


def assert_error_body(response: httpx.Response, status: int, error_code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert {"detail", "error_code", "field", "request_id"} <= set(body)
    assert body["error_code"] == error_code
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def header_set(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",") if item.strip()}


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


def client_of(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


class TestRequestId:
    @pytest.mark.parametrize(
        "sent",
        [
            "a",
            "req-123",
            "0123456789abcdef0123456789abcdef",
            "~" * 128,
            "".join(chr(code) for code in range(0x21, 0x7F)),
        ],
    )
    async def test_a_sane_request_id_is_echoed(self, client: httpx.AsyncClient, sent: str) -> None:
        response = await client.get("/healthz", headers={"X-Request-ID": sent})
        assert response.headers["X-Request-ID"] == sent

    @pytest.mark.parametrize(
        "sent",
        [
            pytest.param(b"x" * 129, id="129-chars"),
            pytest.param(b"", id="empty"),
            pytest.param(b"has space", id="space"),
            pytest.param(b"tab\there", id="tab"),
            pytest.param("café".encode(), id="non-ascii"),
            pytest.param(b"del\x7f", id="del"),
        ],
    )
    async def test_an_insane_request_id_is_replaced(
        self, client: httpx.AsyncClient, sent: bytes
    ) -> None:
        response = await client.get("/nowhere", headers={"X-Request-ID": sent})
        assigned = response.headers["X-Request-ID"]
        assert assigned.encode() != sent
        assert SANE_ID.match(assigned)
        assert response.json()["request_id"] == assigned

    async def test_without_one_every_response_gets_a_fresh_one(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await client.get("/healthz")
        second = await client.get("/healthz")
        assert SANE_ID.match(first.headers["X-Request-ID"])
        assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]

    async def test_the_error_body_carries_the_same_id(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/notes", headers={"X-Request-ID": "trace-me"})
        assert response.status_code == 401
        assert response.headers["X-Request-ID"] == "trace-me"
        assert response.json()["request_id"] == "trace-me"


class TestUnknownRoute:
    @pytest.mark.parametrize("path", ["/nowhere", "/notes/a/b", "/auth", "/api/v1/notes"])
    async def test_is_404_with_the_error_body(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.get(path)
        body = assert_error_body(response, 404, "not_found")
        assert body == {
            "detail": "Not found",
            "error_code": "not_found",
            "field": None,
            "request_id": response.headers["X-Request-ID"],
        }


class TestMethodNotAllowed:
    @pytest.mark.parametrize(
        ("method", "path", "allowed"),
        [
            ("DELETE", "/notes", {"GET", "POST"}),
            ("PUT", "/notes", {"GET", "POST"}),
            (
                "POST",
                "/notes/0190a6a0-0000-7000-8000-000000000000",
                {"GET", "PUT", "PATCH", "DELETE"},
            ),
            ("POST", "/healthz", {"GET"}),
            ("GET", "/auth/token", {"POST"}),
            ("DELETE", "/auth/register", {"POST"}),
        ],
    )
    async def test_is_405_with_every_allowed_method(
        self, client: httpx.AsyncClient, method: str, path: str, allowed: set[str]
    ) -> None:
        response = await client.request(method, path)
        body = assert_error_body(response, 405, "method_not_allowed")
        assert body["detail"] == "Method not allowed"
        answered = {item.upper() for item in header_set(response.headers["Allow"])}
        assert allowed <= answered
        assert method not in answered


class TestPayloadTooLarge:
    LIMIT = 1000

    @pytest.fixture
    async def small(
        self, make_app: Callable[..., FastAPI], database_url: str
    ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        # The shared database and secret: tokens and users of the main app work here.
        application = make_app(database_url, max_body_bytes=self.LIMIT)
        async with client_of(application) as http:
            yield application, http

    @staticmethod
    def note_body(size: int) -> bytes:
        empty = json.dumps({"title": "t", "content": ""}).encode()
        body = json.dumps({"title": "t", "content": "x" * (size - len(empty))}).encode()
        assert len(body) == size
        return body

    async def test_a_body_at_the_limit_is_accepted(
        self, small: tuple[FastAPI, httpx.AsyncClient]
    ) -> None:
        application, http = small
        user = await token_user(application)
        response = await http.post(
            "/notes",
            content=self.note_body(self.LIMIT),
            headers={**user.headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 201

    @pytest.mark.parametrize("authenticated", [True, False])
    async def test_a_declared_length_over_the_limit_is_413(
        self, small: tuple[FastAPI, httpx.AsyncClient], authenticated: bool
    ) -> None:
        application, http = small
        headers = (await token_user(application)).headers if authenticated else {}
        response = await http.post(
            "/notes",
            content=self.note_body(self.LIMIT + 1),
            headers={**headers, "Content-Type": "application/json"},
        )
        assert response.request.headers["Content-Length"] == str(self.LIMIT + 1)
        body = assert_error_body(response, 413, "payload_too_large")
        assert body["field"] is None
        assert response.headers["Cache-Control"] == "no-store"
        if authenticated:
            assert (await http.get("/notes", headers=headers)).json()["total"] == 0

    async def test_on_the_login_form_too(self, small: tuple[FastAPI, httpx.AsyncClient]) -> None:
        _, http = small
        response = await http.post("/auth/token", data={"username": "u", "password": "p" * 2000})
        assert_error_body(response, 413, "payload_too_large")

    async def test_a_chunked_body_is_cut_off_at_the_limit(
        self, small: tuple[FastAPI, httpx.AsyncClient]
    ) -> None:
        application, http = small
        user = await token_user(application)
        pulled = 0

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal pulled
            for _ in range(10):
                pulled += 1
                yield b" " * 400

        response = await http.post(
            "/notes", content=chunks(), headers={**user.headers, "Content-Type": "application/json"}
        )
        assert "content-length" not in response.request.headers
        assert_error_body(response, 413, "payload_too_large")
        assert pulled == 3  # 1200 bytes: the first chunk over the limit is the last read
        assert (await http.get("/notes", headers=user.headers)).json()["total"] == 0

    async def test_a_chunked_body_within_the_limit_is_accepted(
        self, small: tuple[FastAPI, httpx.AsyncClient]
    ) -> None:
        application, http = small
        user = await token_user(application)
        body = self.note_body(self.LIMIT)

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 300):
                yield body[start : start + 300]

        response = await http.post(
            "/notes", content=chunks(), headers={**user.headers, "Content-Type": "application/json"}
        )
        assert response.status_code == 201


class ASGICall:
    """Drives an ASGI app by hand: a body in chunks, the messages it sends recorded."""

    def __init__(self, chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> None:
        self.chunks = chunks
        self.reads = 0
        self.sent: list[Message] = []
        self.scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/upload",
            "raw_path": b"/upload",
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"testserver"), *headers],
            "client": ("127.0.0.1", 1234),
            "server": ("testserver", 80),
        }

    async def receive(self) -> Message:
        if self.reads == len(self.chunks):
            return {"type": "http.disconnect"}
        self.reads += 1
        more = self.reads < len(self.chunks)
        return {"type": "http.request", "body": self.chunks[self.reads - 1], "more_body": more}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    async def run(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        await app(self.scope, self.receive, self.send)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])

    @property
    def headers(self) -> dict[str, str]:
        return {key.decode(): value.decode() for key, value in self.sent[0]["headers"]}

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")


async def read_everything(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that reads the whole body, then answers 200 with its length."""
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


class TestBodyLimitMiddleware:
    """The limit holds on its own, whatever app it wraps."""

    def middleware(self) -> RequestContextMiddleware:
        return RequestContextMiddleware(read_everything, max_body_bytes=1000, metrics=False)

    async def test_stops_reading_a_chunked_body_at_the_first_chunk_over_the_limit(self) -> None:
        call = ASGICall([b"x" * 400] * 10, [(b"transfer-encoding", b"chunked")])
        await call.run(self.middleware())
        assert call.reads == 3
        assert call.status == 413
        assert call.headers["x-request-id"]
        body = json.loads(call.body)
        assert body == {
            "detail": body["detail"],
            "error_code": "payload_too_large",
            "field": None,
            "request_id": call.headers["x-request-id"],
        }

    async def test_refuses_a_declared_length_without_reading(self) -> None:
        call = ASGICall([b"x" * 400] * 5, [(b"content-length", b"2000")])
        await call.run(self.middleware())
        assert call.reads == 0
        assert call.status == 413
        assert json.loads(call.body)["error_code"] == "payload_too_large"
        assert call.headers["connection"] == "close"

    async def test_passes_a_body_within_the_limit(self) -> None:
        call = ASGICall([b"x" * 250] * 4, [(b"transfer-encoding", b"chunked")])
        await call.run(self.middleware())
        assert call.reads == 4
        assert call.status == 200
        assert call.body == b"1000"

    async def test_a_lying_content_length_does_not_get_past_the_limit(self) -> None:
        call = ASGICall([b"x" * 400] * 10, [(b"content-length", b"10")])
        await call.run(self.middleware())
        assert call.reads == 3
        assert call.status == 413


class TestInternalError:
    async def test_is_500_with_the_error_body_and_nothing_internal(
        self, make_app: Callable[..., FastAPI]
    ) -> None:
        application = make_app()

        async def explode() -> None:
            raise RuntimeError("boom in /srv/teamnotes/secret.py: password=hunter2")

        application.add_api_route("/explode", explode)
        records: list[logging.LogRecord] = []
        handler = logging.Handler()
        handler.emit = records.append  # type: ignore[method-assign]
        errors_log = logging.getLogger("teamnotes.errors")
        errors_log.addHandler(handler)
        try:
            async with client_of(application) as http:
                response = await http.get("/explode", headers={"X-Request-ID": "trace-500"})
        finally:
            errors_log.removeHandler(handler)
        assert response.status_code == 500
        assert response.headers["X-Request-ID"] == "trace-500"
        assert response.json() == {
            "detail": "Internal server error",
            "error_code": "internal_error",
            "field": None,
            "request_id": "trace-500",
        }
        for leak in ("Traceback", "RuntimeError", "hunter2", "secret.py", "/srv"):
            assert leak not in response.text
        # ... while the log has it all, under the same request id.
        logged = [record for record in records if record.exc_info]
        assert len(logged) == 1
        assert logged[0].request_id == "trace-500"  # type: ignore[attr-defined]
        assert isinstance(logged[0].exc_info[1], RuntimeError)  # type: ignore[index]


class TestCORS:
    async def test_preflight_from_the_allowed_origin_permits_the_contracts_methods_and_headers(
        self, client: httpx.AsyncClient
    ) -> None:
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            response = await client.options(
                "/notes/0190a6a0-0000-7000-8000-000000000000",
                headers={
                    "Origin": ALLOWED_ORIGIN,
                    "Access-Control-Request-Method": method,
                    "Access-Control-Request-Headers": ", ".join(sorted(CORS_HEADERS)),
                },
            )
            assert response.status_code == 200, response.text
            assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
            assert method.lower() in header_set(response.headers["Access-Control-Allow-Methods"])
            assert header_set(response.headers["Access-Control-Allow-Headers"]) >= CORS_HEADERS

    async def test_responses_to_the_allowed_origin_expose_the_contracts_headers(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user = await token_user(app)
        response = await client.post(
            "/notes", json={"title": "cors"}, headers={**user.headers, "Origin": ALLOWED_ORIGIN}
        )
        assert response.status_code == 201
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
        assert header_set(response.headers["Access-Control-Expose-Headers"]) >= EXPOSED_HEADERS

    async def test_preflight_from_another_origin_is_400_without_allow_origin(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.options(
            "/notes",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert_error_body(response, 400, "bad_request")
        assert "Access-Control-Allow-Origin" not in response.headers

    async def test_preflight_asking_for_another_header_is_400(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.options(
            "/notes",
            headers={
                "Origin": ALLOWED_ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "X-Not-Allowed",
            },
        )
        assert_error_body(response, 400, "bad_request")

    async def test_a_request_from_another_origin_gets_no_allow_origin(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers

    async def test_origins_come_from_settings(self, make_app: Callable[..., FastAPI]) -> None:
        application = make_app(cors_origins="https://app.example, https://admin.example")
        async with client_of(application) as http:
            for origin in ("https://app.example", "https://admin.example"):
                response = await http.get("/healthz", headers={"Origin": origin})
                assert response.headers["Access-Control-Allow-Origin"] == origin
            response = await http.get("/healthz", headers={"Origin": ALLOWED_ORIGIN})
            assert "Access-Control-Allow-Origin" not in response.headers


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """An environment with no Team Notes settings, in a directory with no `.env`."""
    for name in list(os.environ):
        if name.startswith("TEAMNOTES_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


class TestSettings:
    @pytest.mark.parametrize("origins", ["*", "https://app.example,*", " * "])
    def test_a_wildcard_origin_with_credentials_is_refused(
        self, environment: pytest.MonkeyPatch, origins: str
    ) -> None:
        environment.setenv("TEAMNOTES_CORS_ORIGINS", origins)
        with pytest.raises(ValidationError) as refused:
            Settings()
        message = str(refused.value)
        assert "TEAMNOTES_CORS_ORIGINS" in message
        assert "'*'" in message
        assert "credentials" in message

    def test_a_wildcard_origin_without_credentials_is_allowed(
        self, environment: pytest.MonkeyPatch
    ) -> None:
        environment.setenv("TEAMNOTES_CORS_ORIGINS", "*")
        environment.setenv("TEAMNOTES_CORS_ALLOW_CREDENTIALS", "false")
        assert Settings().cors_origins == ["*"]

    @pytest.mark.parametrize(
        ("value", "origins"),
        [
            ("https://app.example", ["https://app.example"]),
            (
                " https://app.example , http://localhost:5173,,",
                ["https://app.example", "http://localhost:5173"],
            ),
        ],
    )
    def test_cors_origins_are_comma_separated(
        self, environment: pytest.MonkeyPatch, value: str, origins: list[str]
    ) -> None:
        environment.setenv("TEAMNOTES_CORS_ORIGINS", value)
        assert Settings().cors_origins == origins

    def test_defaults(self, environment: pytest.MonkeyPatch) -> None:
        settings = Settings()
        assert settings.cors_origins == ["http://localhost:3000"]
        assert settings.database_url == "sqlite:///./data/teamnotes.db"
        assert settings.max_body_bytes == 1024 * 1024
        assert settings.docs is True

    def test_database_url_is_read(self, environment: pytest.MonkeyPatch) -> None:
        environment.setenv("DATABASE_URL", "postgres://u:p@db.example/app?sslmode=require")
        assert Settings().database_url == "postgres://u:p@db.example/app?sslmode=require"

    def test_teamnotes_database_url_is_preferred(self, environment: pytest.MonkeyPatch) -> None:
        environment.setenv("DATABASE_URL", "postgres://u:p@db.example/app")
        environment.setenv("TEAMNOTES_DATABASE_URL", "sqlite:///./data/mine.db")
        assert Settings().database_url == "sqlite:///./data/mine.db"

    def test_a_dotenv_file_is_read(self, environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
        (tmp_path / ".env").write_text(
            "TEAMNOTES_MAX_BODY_BYTES=2048\nTEAMNOTES_CORS_ORIGINS=https://a.example,https://b.example\n"
        )
        settings = Settings()
        assert settings.max_body_bytes == 2048
        assert settings.cors_origins == ["https://a.example", "https://b.example"]

    def test_docs_can_be_turned_off(self, environment: pytest.MonkeyPatch) -> None:
        environment.setenv("TEAMNOTES_DOCS", "false")
        assert Settings().docs is False


class TestDatabaseURL:
    def test_hosted_postgres_url_maps_to_asyncpg_with_ssl(self) -> None:
        url = async_url(
            "postgres://user:pw@ep-1.aws.neon.tech/app?sslmode=require&channel_binding=require"
        )
        parts = urlsplit(url)
        assert parts.scheme == "postgresql+asyncpg"
        assert (parts.netloc, parts.path) == ("user:pw@ep-1.aws.neon.tech", "/app")
        assert parse_qsl(parts.query) == [("ssl", "require")]

    def test_other_query_parameters_are_kept(self) -> None:
        url = async_url("postgresql://u@h:5433/db?sslmode=verify-full&application_name=tn")
        assert urlsplit(url).scheme == "postgresql+asyncpg"
        assert dict(parse_qsl(urlsplit(url).query)) == {
            "ssl": "verify-full",
            "application_name": "tn",
        }

    def test_asyncpg_gets_ssl_and_no_channel_binding(self) -> None:
        url = async_url(
            "postgres://u:p@db.example:5432/app?sslmode=require&channel_binding=require"
        )
        engine = create_async_engine(url)
        try:
            _, kwargs = engine.dialect.create_connect_args(make_url(url))
        finally:
            engine.sync_engine.dispose()
        assert kwargs["ssl"] == "require"
        assert "channel_binding" not in kwargs
        assert (kwargs["host"], kwargs["port"], kwargs["database"]) == ("db.example", 5432, "app")

    def test_sqlite_maps_to_aiosqlite(self) -> None:
        assert (
            async_url("sqlite:///./data/teamnotes.db") == "sqlite+aiosqlite:///./data/teamnotes.db"
        )

    def test_other_databases_are_refused(self) -> None:
        with pytest.raises(ValueError, match="unsupported database URL"):
            async_url("mysql://u@h/db")


class TestProbes:
    async def test_liveness(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    async def test_readiness(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {"status": "ready"}

    async def test_health_reports_version_and_database_latency(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/health")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["version"] == __version__
        assert body["database"]["status"] == "ok"
        assert isinstance(body["database"]["latency_ms"], int | float)
        assert 0 <= body["database"]["latency_ms"] < 2000

    async def test_a_database_without_the_schema_is_not_ready_until_migrated(
        self, make_app: Callable[..., FastAPI], tmp_path: Path
    ) -> None:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
        application = make_app(url)
        async with client_of(application) as http:
            response = await http.get("/readyz")
            body = assert_error_body(response, 503, "service_unavailable")
            assert body["status"] == "unavailable"
            assert body["field"] is None
            await migrate(url)
            response = await http.get("/readyz")
            assert response.status_code == 200
            assert response.json() == {"status": "ready"}

    async def test_an_unreachable_database_is_unavailable_but_the_process_is_alive(
        self, make_app: Callable[..., FastAPI], tmp_path: Path
    ) -> None:
        application = make_app(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
        async with client_of(application) as http:
            ready = await http.get("/readyz")
            body = assert_error_body(ready, 503, "service_unavailable")
            assert body["status"] == "unavailable"
            health = await http.get("/health")
            body = assert_error_body(health, 503, "service_unavailable")
            assert body["status"] == "unavailable"
            assert body["version"] == __version__
            assert body["database"] == {"status": "unavailable", "latency_ms": None}
            live = await http.get("/healthz")
            assert live.status_code == 200


ERROR_FIELDS = {"detail", "error_code", "field", "request_id"}


class TestOpenAPIErrors:
    """Every operation declares the error responses it can give, with the error body."""

    @pytest.fixture
    async def document(self, client: httpx.AsyncClient) -> dict[str, Any]:
        return (await client.get("/openapi.json")).json()  # type: ignore[no-any-return]

    @staticmethod
    def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        for path, item in document["paths"].items():
            for method, operation in item.items():
                yield f"{method.upper()} {path}", operation

    @staticmethod
    def schema_of(document: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
        schema: dict[str, Any] = response["content"]["application/json"]["schema"]
        name = schema["$ref"].removeprefix("#/components/schemas/")
        resolved: dict[str, Any] = document["components"]["schemas"][name]
        return resolved

    def test_every_error_response_has_the_error_body(self, document: dict[str, Any]) -> None:
        for name, operation in self.operations(document):
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                # Errors are JSON whatever the operation's success answers with.
                assert set(response.get("content", {})) == {"application/json"}, (name, status)
                schema = self.schema_of(document, response)
                assert set(schema["properties"]) >= ERROR_FIELDS, (name, status)
                assert ERROR_FIELDS - {"field"} <= set(schema["required"]), (name, status)
                if status == "422":
                    assert "errors" in schema["properties"], name

    def test_every_operation_declares_the_errors_it_can_give(
        self, document: dict[str, Any]
    ) -> None:
        for name, operation in self.operations(document):
            statuses = set(operation["responses"])
            errors = {status for status in statuses if int(status) >= 400}
            if name == "GET /healthz":
                assert not errors  # liveness cannot fail while the process serves
                continue
            assert errors & {"401", "404", "422", "503"}, name
            if operation.get("security"):
                assert "401" in statuses, name
            if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
                assert "404" in statuses, name
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in statuses, name
            if operation.get("requestBody"):
                assert {"413", "415"} <= statuses, name
                if "application/json" in operation["requestBody"]["content"]:
                    assert "400" in statuses, name  # invalid JSON

    def test_no_default_validation_schema_is_left(self, document: dict[str, Any]) -> None:
        assert "HTTPValidationError" not in document["components"]["schemas"]

    async def test_example_note_errors_match_the_declared_schema(
        self, client: httpx.AsyncClient, app: FastAPI, document: dict[str, Any]
    ) -> None:
        # The declared body is the one sent.
        user = await token_user(app)
        note = await make_note(client, user)
        response = await client.put(f"/notes/{note['id']}", json={}, headers=user.headers)
        assert response.status_code == 422
        declared = self.schema_of(
            document, document["paths"]["/notes/{note_id}"]["put"]["responses"]["422"]
        )
        assert set(response.json()) == set(declared["properties"])
