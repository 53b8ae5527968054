"""Tokens from an external identity provider (API.md §2), checked against a real JWKS
endpoint served on loopback by these tests.

The provider looks like Better-Auth's JWT plugin: Ed25519 keys published as
`{kty: OKP, crv: Ed25519, x, kid, alg: EdDSA}` with no `use`, tokens with the header
`{"alg": "EdDSA", "kid": …}` and no `typ`; it also has a P-256 (ES256) and an RSA
(RS256) key.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from fastapi import FastAPI
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from sqlalchemy import func, select

from teamnotes.app import create_app
from teamnotes.auth.models import ExternalUser
from teamnotes.auth.tokens import AUDIENCE as BUILT_IN_AUDIENCE
from teamnotes.auth.tokens import ISSUER as BUILT_IN_ISSUER
from teamnotes.auth.tokens import TokenIssuer
from teamnotes.kit.idempotency import IdempotencyKey
from teamnotes.kit.ids import new_id
from teamnotes.notes.models import Note
from teamnotes.tasks.models import Task
from teamnotes.workspaces.gate import personal_workspace_id
from teamnotes.workspaces.models import Workspace
from tests.conftest import make_settings
from tests.factories import token_user

ISSUER = "https://frontend.example.com"
AUDIENCE = "https://frontend.example.com"
DROP = object()  # a claim value meaning "leave this claim out"


# --- The provider: keys, a JWKS endpoint, and tokens ---------------------------------


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    private: Any
    jwk: dict[str, Any]  # the public key as the JWKS lists it

    @property
    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(  # type: ignore[no-any-return]
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def ed25519_key(kid: str | None = None) -> SigningKey:
    kid = kid or f"ed-{secrets.token_hex(4)}"
    private = ed25519.Ed25519PrivateKey.generate()
    public = OKPAlgorithm.to_jwk(private.public_key(), as_dict=True)
    # Exactly the fields Better-Auth's JWKS carries: no `use`.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": public["x"], "kid": kid, "alg": "EdDSA"}
    return SigningKey(kid, "EdDSA", private, jwk)


def p256_key(kid: str | None = None) -> SigningKey:
    kid = kid or f"ec-{secrets.token_hex(4)}"
    private = ec.generate_private_key(ec.SECP256R1())
    public = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk = {key: public[key] for key in ("kty", "crv", "x", "y")} | {"kid": kid, "alg": "ES256"}
    return SigningKey(kid, "ES256", private, jwk)


def rsa_key(kid: str | None = None) -> SigningKey:
    kid = kid or f"rsa-{secrets.token_hex(4)}"
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk = {"kty": "RSA", "n": public["n"], "e": public["e"], "kid": kid, "alg": "RS256"}
    return SigningKey(kid, "RS256", private, jwk)


class JWKSServer:
    """A JWKS endpoint on loopback, served from a thread: the document can change at any
    time, the endpoint can be made to fail or to hang, and every request is counted."""

    def __init__(self, keys: list[SigningKey]) -> None:
        self.keys = list(keys)
        self.failing = False
        self.hanging = False  # read the request, then never answer (until stopped)
        self.body: bytes | None = None  # served instead of the key set when set
        self._requests = 0
        self._lock = threading.Lock()
        self._released = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server._requests += 1
                    failing, keys, body = server.failing, list(server.keys), server.body
                    hanging = server.hanging
                if hanging:
                    server._released.wait()
                    return
                if failing:
                    self.send_error(500)
                    return
                if body is None:
                    body = json.dumps({"keys": [key.jwk for key in keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self._running = True

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/api/auth/jwks"

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    def stop(self) -> None:
        if self._running:
            self._running = False
            self._released.set()
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()


@contextmanager
def jwks_server(keys: list[SigningKey]) -> Iterator[JWKSServer]:
    server = JWKSServer(keys)
    try:
        yield server
    finally:
        server.stop()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64json(value: Any) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def provider_claims(**overrides: Any) -> dict[str, Any]:
    """The claims Better-Auth's JWT plugin puts in a token, with `overrides` (DROP
    leaves a claim out)."""
    now = int(time.time())
    claims = {
        "sub": f"user_{secrets.token_hex(8)}",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 900,
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        **overrides,
    }
    return {name: value for name, value in claims.items() if value is not DROP}


def mint(
    key: SigningKey,
    *,
    header: dict[str, Any] | None = None,
    algorithm: str | None = None,
    **overrides: Any,
) -> str:
    """A token signed by `key`, its header `{"alg", "kid"}` with no `typ`. The claims
    are encoded as they are (no checks on the way), so that bad ones can be sent."""
    payload = json.dumps(provider_claims(**overrides)).encode()
    headers = {"kid": key.kid, "typ": None, **(header or {})}
    return jwt.api_jws.encode(
        payload, key.private, algorithm=algorithm or key.algorithm, headers=headers
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def subject_of(token: str) -> str:
    return str(json.loads(unb64(token.split(".")[1]))["sub"])


def assert_invalid_token(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error_code"] == "invalid_token"
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert response.headers["WWW-Authenticate"] == "Bearer"


def random_address() -> str:
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


@asynccontextmanager
async def client_of(application: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=application, client=(random_address(), 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@asynccontextmanager
async def relying_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, jwks_url: str, **overrides: Any
) -> AsyncIterator[FastAPI]:
    """The API configured with the provider's three settings (and `overrides`)."""
    settings = make_settings(
        database_url,
        tmp_path_factory.mktemp("data"),
        jwt_jwks_url=jwks_url,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        **overrides,
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@dataclass
class Deployment:
    """A provider's JWKS endpoint and an API that trusts it, made for one test."""

    server: JWKSServer
    app: FastAPI
    client: httpx.AsyncClient


@asynccontextmanager
async def deployment(
    database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    keys: list[SigningKey],
    **overrides: Any,
) -> AsyncIterator[Deployment]:
    with jwks_server(keys) as server:
        async with (
            relying_app(database_url, tmp_path_factory, server.url, **overrides) as application,
            client_of(application) as http,
        ):
            yield Deployment(server, application, http)


async def count_rows(app: FastAPI, statement: Any) -> int:
    async with app.state.database.reader.connect() as connection:
        return int((await connection.execute(statement)).scalar_one())


# --- One provider with all three key types, shared by the module ---------------------


@dataclass(frozen=True)
class Provider:
    server: JWKSServer
    ed: SigningKey
    ec: SigningKey
    rsa: SigningKey

    def key(self, name: str) -> SigningKey:
        return {"ed25519": self.ed, "p256": self.ec, "rsa": self.rsa}[name]


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    keys = [ed25519_key(), p256_key(), rsa_key()]
    with jwks_server(keys) as server:
        yield Provider(server, *keys)


@pytest.fixture(scope="module")
async def provider_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, provider: Provider
) -> AsyncIterator[FastAPI]:
    # No refetch cooldown: every unknown kid is looked up again at the provider.
    async with relying_app(
        database_url, tmp_path_factory, provider.server.url, jwks_refetch_cooldown=0
    ) as application:
        yield application


@pytest.fixture
async def external(provider_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(provider_app) as http:
        yield http


KEY_TYPES = ["ed25519", "p256", "rsa"]


class TestProviderToken:
    def test_looks_like_better_auths(self, provider: Provider) -> None:
        token = mint(provider.ed)
        assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "kid": provider.ed.kid}
        assert set(provider.ed.jwk) == {"kty", "crv", "x", "kid", "alg"}

    @pytest.mark.parametrize("key_type", KEY_TYPES)
    async def test_creates_and_lists_notes(
        self,
        provider_app: FastAPI,
        external: httpx.AsyncClient,
        provider: Provider,
        key_type: str,
    ) -> None:
        token = mint(provider.key(key_type))
        created = await external.post("/notes", json={"title": "Hello"}, headers=bearer(token))
        assert created.status_code == 201, created.text
        listed = await external.get("/notes", headers=bearer(token))
        assert listed.status_code == 200, listed.text
        assert [note["id"] for note in listed.json()["items"]] == [created.json()["id"]]
        owned = select(func.count()).where(
            Note.workspace_id == personal_workspace_id(subject_of(token))
        )
        assert await count_rows(provider_app, owned) == 1

    @pytest.mark.parametrize("key_type", KEY_TYPES)
    async def test_creates_and_lists_tasks(
        self, external: httpx.AsyncClient, provider: Provider, key_type: str
    ) -> None:
        token = mint(provider.key(key_type))
        created = await external.post("/tasks", json={"title": "Do it"}, headers=bearer(token))
        assert created.status_code == 201, created.text
        for path in ("/tasks", f"/api/{subject_of(token)}/tasks"):
            listed = await external.get(path, headers=bearer(token))
            assert listed.status_code == 200, listed.text
            assert [task["id"] for task in listed.json()["items"]] == [created.json()["id"]]

    async def test_works_on_every_notes_and_tasks_route(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        headers = bearer(mint(provider.ed))
        note = (await external.post("/notes", json={"title": "N"}, headers=headers)).json()
        task = (await external.post("/tasks", json={"title": "T"}, headers=headers)).json()
        user_scoped = f"/api/{subject_of(headers['Authorization'][7:])}/tasks"
        calls: list[tuple[str, str, Any]] = [
            ("GET", "/notes", None),
            ("GET", f"/notes/{note['id']}", None),
            ("GET", f"/notes/{note['id']}/html", None),
            ("PUT", f"/notes/{note['id']}", {"title": "N2", "content": "x"}),
            ("PATCH", f"/notes/{note['id']}", {"title": "N3"}),
            ("GET", "/tasks", None),
            ("GET", f"/tasks/{task['id']}", None),
            ("PUT", f"/tasks/{task['id']}", {"title": "T2"}),
            ("PATCH", f"/tasks/{task['id']}", {"title": "T3"}),
            ("PATCH", f"/tasks/{task['id']}/complete", None),
            ("GET", user_scoped, None),
            ("GET", f"{user_scoped}/{task['id']}", None),
            ("PATCH", f"{user_scoped}/{task['id']}/complete", None),
            ("DELETE", f"/notes/{note['id']}", None),
            ("DELETE", f"{user_scoped}/{task['id']}", None),
        ]
        for method, path, body in calls:
            response = await external.request(method, path, json=body, headers=headers)
            assert response.status_code in (200, 204), (method, path, response.text)

    async def test_audience_may_be_a_list(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        token = mint(provider.ed, aud=["https://other.example.com", AUDIENCE])
        response = await external.get("/notes", headers=bearer(token))
        assert response.status_code == 200, response.text

    async def test_expired_within_the_leeway_is_accepted(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        now = int(time.time())
        token = mint(provider.ed, iat=now - 900, exp=now - 10)
        response = await external.get("/notes", headers=bearer(token))
        assert response.status_code == 200, response.text

    @pytest.mark.parametrize(
        "sub",
        [
            "x" * 255,
            "é" * 255,
            "😀" * 255,
            "auth0|5f7c8ec7c33c6c004bbafe82",
            "google-oauth2|104857600123456789",
            "ada@example.com",
            "0",
        ],
    )
    async def test_any_sub_of_up_to_255_characters_is_the_owner(
        self, provider_app: FastAPI, external: httpx.AsyncClient, provider: Provider, sub: str
    ) -> None:
        sub = sub if len(sub) == 255 else f"{sub}-{secrets.token_hex(4)}"
        headers = bearer(mint(provider.ed, sub=sub))
        created = await external.post("/notes", json={"title": "Mine"}, headers=headers)
        assert created.status_code == 201, created.text
        task = await external.post("/tasks", json={"title": "Mine"}, headers=headers)
        assert task.status_code == 201, task.text
        me = await external.get("/auth/me", headers=headers)
        assert me.status_code == 200, me.text
        assert me.json()["id"] == sub
        async with provider_app.state.database.reader.connect() as connection:
            owners = (
                await connection.execute(
                    select(Note.created_by).where(Note.id == uuid.UUID(created.json()["id"]))
                )
            ).scalar_one()
        assert owners == sub

    @pytest.mark.parametrize("sub", ["x" * 256, "é" * 256, "", 12345, None, ["a"]])
    async def test_sub_that_is_not_a_string_of_up_to_255_characters_is_401(
        self, external: httpx.AsyncClient, provider: Provider, sub: Any
    ) -> None:
        token = mint(provider.ed, sub=sub)
        assert_invalid_token(
            await external.post("/notes", json={"title": "x"}, headers=bearer(token))
        )

    async def test_users_see_only_their_own_rows(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        alice, bob = bearer(mint(provider.ed)), bearer(mint(provider.rsa))
        note = (await external.post("/notes", json={"title": "A"}, headers=alice)).json()
        response = await external.get(f"/notes/{note['id']}", headers=bob)
        assert response.status_code == 404, response.text
        assert (await external.get("/notes", headers=bob)).json()["total"] == 0

    async def test_built_in_tokens_still_work_and_never_reach_the_provider(
        self, provider_app: FastAPI, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        before = provider.server.requests
        user = await token_user(provider_app)
        response = await external.get("/notes", headers=user.headers)
        assert response.status_code == 200, response.text
        assert provider.server.requests == before


class TestExternalMe:
    async def test_returns_the_user_the_token_describes(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        token = mint(provider.ed, email="grace@example.com", name="Grace Hopper")
        response = await external.get("/auth/me", headers=bearer(token))
        assert response.status_code == 200, response.text
        user = response.json()
        assert set(user) == {"id", "email", "display_name", "created_at"}
        assert user["id"] == subject_of(token)
        assert user["email"] == "grace@example.com"
        assert user["display_name"] == "Grace Hopper"
        assert response.headers["Cache-Control"] == "no-store"

    async def test_created_at_is_when_first_seen_and_stays(
        self, provider_app: FastAPI, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        sub = f"user_{secrets.token_hex(8)}"
        before = datetime.now(UTC)
        first = (await external.get("/auth/me", headers=bearer(mint(provider.ed, sub=sub)))).json()
        after = datetime.now(UTC)
        seen = datetime.fromisoformat(first["created_at"].replace("Z", "+00:00"))
        assert before <= seen <= after
        # A later token of the same user (another key, a new name) is the same user.
        later = mint(provider.rsa, sub=sub, name="Ada King")
        second = (await external.get("/auth/me", headers=bearer(later))).json()
        assert second["created_at"] == first["created_at"]
        assert second["display_name"] == "Ada King"
        remembered = select(func.count()).where(ExternalUser.id == sub)
        assert await count_rows(provider_app, remembered) == 1

    async def test_concurrent_first_requests_agree_on_created_at(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        headers = bearer(mint(provider.ed))
        responses = await asyncio.gather(
            *[external.get("/auth/me", headers=headers) for _ in range(8)]
        )
        assert [response.status_code for response in responses] == [200] * 8
        assert len({response.json()["created_at"] for response in responses}) == 1

    @pytest.mark.parametrize(
        "claims",
        [
            pytest.param({"email": DROP, "name": DROP}, id="absent"),
            pytest.param({"email": None, "name": None}, id="null"),
            pytest.param({"email": 42, "name": ["Ada"]}, id="not-strings"),
        ],
    )
    async def test_email_and_display_name_are_null_without_usable_claims(
        self, external: httpx.AsyncClient, provider: Provider, claims: dict[str, Any]
    ) -> None:
        response = await external.get("/auth/me", headers=bearer(mint(provider.ed, **claims)))
        assert response.status_code == 200, response.text
        assert response.json()["email"] is None
        assert response.json()["display_name"] is None

    @pytest.mark.parametrize(
        "body",
        [
            {"display_name": "Someone"},
            {"password": "a new password", "current_password": "anything at all"},
            {},
        ],
    )
    async def test_patch_is_403_forbidden(
        self, external: httpx.AsyncClient, provider: Provider, body: dict[str, str]
    ) -> None:
        token = mint(provider.ed)
        response = await external.patch("/auth/me", json=body, headers=bearer(token))
        assert response.status_code == 403, response.text
        assert response.json()["error_code"] == "forbidden"
        me = await external.get("/auth/me", headers=bearer(token))
        assert me.json()["display_name"] == "Ada Lovelace"

    async def test_delete_removes_their_notes_and_tasks(
        self, provider_app: FastAPI, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        leaving, staying = mint(provider.ed), mint(provider.ec)
        for token in (leaving, staying):
            for title in ("One", "Two"):
                note = await external.post(
                    "/notes",
                    json={"title": title},
                    headers={**bearer(token), "Idempotency-Key": f"note-{title}"},
                )
                assert note.status_code == 201, note.text
                task = await external.post(
                    "/tasks",
                    json={"title": title},
                    headers={**bearer(token), "Idempotency-Key": f"task-{title}"},
                )
                assert task.status_code == 201, task.text
            assert (await external.get("/auth/me", headers=bearer(token))).status_code == 200

        def owned(token: str) -> list[Any]:
            sub = subject_of(token)
            return [
                select(func.count()).where(Note.workspace_id == personal_workspace_id(sub)),
                select(func.count()).where(Task.workspace_id == personal_workspace_id(sub)),
                select(func.count()).where(
                    ExternalUser.id == sub, ExternalUser.deleted_at.is_(None)
                ),
                select(func.count()).where(IdempotencyKey.owner_id == sub),
                select(func.count()).where(Workspace.personal_owner_id == sub),
            ]

        response = await external.delete("/auth/me", headers=bearer(leaving))
        assert response.status_code == 204, response.text
        assert [await count_rows(provider_app, query) for query in owned(leaving)] == [
            0,
            0,
            0,
            0,
            0,
        ]
        assert [await count_rows(provider_app, query) for query in owned(staying)] == [
            2,
            2,
            1,
            4,
            1,
        ]
        # Their tokens of before the deletion are refused from now on...
        assert_invalid_token(await external.get("/notes", headers=bearer(leaving)))
        # ... but the provider still vouches for the user: a token issued since starts a
        # new account from nothing...
        sub = subject_of(leaving)
        fresh = mint(provider.ed, sub=sub, iat=int(time.time()) + 2)
        listed = await external.get("/notes", headers=bearer(fresh))
        assert listed.status_code == 200, listed.text
        assert listed.json()["total"] == 0
        # ... and a create retried with an old key makes a note that exists.
        retried = await external.post(
            "/notes",
            json={"title": "One"},
            headers={**bearer(fresh), "Idempotency-Key": "note-One"},
        )
        assert retried.status_code == 201, retried.text
        note = await external.get(f"/notes/{retried.json()['id']}", headers=bearer(fresh))
        assert note.status_code == 200, note.text


class TestKeyRotation:
    @pytest.mark.parametrize("new_key", [ed25519_key, p256_key, rsa_key])
    async def test_a_new_kid_is_accepted_without_restart(
        self,
        database_url: str,
        tmp_path_factory: pytest.TempPathFactory,
        new_key: Callable[[], SigningKey],
    ) -> None:
        old = ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [old], jwks_refetch_cooldown=0
        ) as provider:
            assert (
                await provider.client.get("/notes", headers=bearer(mint(old)))
            ).status_code == 200
            rotated = new_key()
            provider.server.keys.append(rotated)
            response = await provider.client.get("/notes", headers=bearer(mint(rotated)))
            assert response.status_code == 200, response.text
            assert provider.server.requests == 2
            # Tokens signed with the previous key stay valid, from the cache.
            assert (
                await provider.client.get("/notes", headers=bearer(mint(old)))
            ).status_code == 200
            assert provider.server.requests == 2

    async def test_a_key_published_within_the_cooldown_is_accepted_after_it(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        old, rotated = ed25519_key(), ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [old], jwks_refetch_cooldown=0.5
        ) as provider:
            response = await provider.client.get("/notes", headers=bearer(mint(old)))
            assert response.status_code == 200, response.text
            provider.server.keys.append(rotated)
            # Right after a fetch, an unknown kid does not make another one...
            assert_invalid_token(await provider.client.get("/notes", headers=bearer(mint(rotated))))
            assert provider.server.requests == 1
            # ... once the cooldown has passed, it does.
            await asyncio.sleep(0.6)
            response = await provider.client.get("/notes", headers=bearer(mint(rotated)))
            assert response.status_code == 200, response.text
            assert provider.server.requests == 2


class TestJWKSCache:
    async def test_is_fetched_once_for_many_requests(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        key = ed25519_key()
        async with deployment(database_url, tmp_path_factory, [key]) as provider:
            assert provider.server.requests == 0  # fetched on first use, not at start-up
            headers = bearer(mint(key))
            responses = await asyncio.gather(
                *[provider.client.get("/notes", headers=headers) for _ in range(8)]
            )
            for _ in range(5):
                responses.append(await provider.client.get("/notes", headers=bearer(mint(key))))
            assert {response.status_code for response in responses} == {200}
            assert provider.server.requests == 1

    async def test_unknown_kid_refetches_at_most_once_per_cooldown(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        key = ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [key], jwks_refetch_cooldown=1.0
        ) as provider:

            async def unknown_kids(how_many: int) -> None:
                tokens = [mint(ed25519_key()) for _ in range(how_many)]
                responses = await asyncio.gather(
                    *[provider.client.get("/notes", headers=bearer(token)) for token in tokens]
                )
                for response in responses:
                    assert_invalid_token(response)

            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200
            assert provider.server.requests == 1
            await unknown_kids(6)  # within the cooldown of that fetch: no refetch
            assert provider.server.requests == 1
            await asyncio.sleep(1.1)
            await unknown_kids(6)  # the cooldown has passed: one refetch for all of them
            assert provider.server.requests == 2
            await unknown_kids(3)
            assert provider.server.requests == 2
            # The known key never waited for any of it.
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200
            assert provider.server.requests == 2


class TestProviderUnreachable:
    async def test_cached_key_keeps_working_while_the_jwks_fails(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        key = ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [key], jwks_refetch_cooldown=0
        ) as provider:
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200
            provider.server.failing = True
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200
            # An unknown kid makes a refetch, which fails; the cached keys are kept.
            assert_invalid_token(
                await provider.client.get("/notes", headers=bearer(mint(ed25519_key())))
            )
            assert provider.server.requests == 2
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200

    @pytest.mark.parametrize(
        "body", [b"not json", b"[]", b'{"keys": "nope"}', b'{"keys": [{"kty": "nope"}]}']
    )
    async def test_cached_key_keeps_working_when_the_jwks_is_garbage(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory, body: bytes
    ) -> None:
        key = ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [key], jwks_refetch_cooldown=0
        ) as provider:
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200
            provider.server.body = body
            assert_invalid_token(
                await provider.client.get("/notes", headers=bearer(mint(ed25519_key())))
            )
            assert provider.server.requests == 2
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200

    async def test_cached_key_keeps_working_when_the_server_is_gone(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        key = ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [key], jwks_refetch_cooldown=0
        ) as provider:
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200
            provider.server.stop()
            assert_invalid_token(
                await provider.client.get("/notes", headers=bearer(mint(ed25519_key())))
            )
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200

    async def test_unreachable_from_the_start_is_401_until_it_answers(
        self, database_url: str, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        key = ed25519_key()
        async with deployment(
            database_url, tmp_path_factory, [key], jwks_refetch_cooldown=0
        ) as provider:
            provider.server.failing = True
            assert_invalid_token(await provider.client.get("/notes", headers=bearer(mint(key))))
            provider.server.failing = False
            assert (
                await provider.client.get("/notes", headers=bearer(mint(key)))
            ).status_code == 200


class TestKeyLocationHeaders:
    """`jku`, `x5u` (and an embedded `jwk`) name keys elsewhere: they are never used."""

    @pytest.fixture
    def attacker(self) -> Iterator[tuple[JWKSServer, SigningKey]]:
        key = ed25519_key()
        with jwks_server([key]) as server:
            yield server, key

    async def test_keys_named_by_the_token_are_never_fetched_nor_trusted(
        self,
        external: httpx.AsyncClient,
        provider: Provider,
        attacker: tuple[JWKSServer, SigningKey],
    ) -> None:
        server, key = attacker
        forged = [
            mint(key, header={"jku": server.url}),
            mint(key, header={"jku": server.url, "kid": provider.ed.kid}),
            mint(key, header={"x5u": f"{server.url}/cert.pem"}),
            mint(key, header={"x5u": f"{server.url}/cert.pem", "kid": provider.ed.kid}),
            mint(key, header={"jwk": key.jwk}),
            mint(key, header={"jwk": key.jwk, "kid": provider.ed.kid}),
        ]
        for token in forged:
            assert_invalid_token(await external.get("/notes", headers=bearer(token)))
        assert server.requests == 0

    async def test_a_genuine_token_naming_another_server_still_works(
        self,
        external: httpx.AsyncClient,
        provider: Provider,
        attacker: tuple[JWKSServer, SigningKey],
    ) -> None:
        server, _ = attacker
        token = mint(provider.ed, header={"jku": server.url, "x5u": f"{server.url}/cert.pem"})
        response = await external.get("/notes", headers=bearer(token))
        assert response.status_code == 200, response.text
        assert server.requests == 0


# --- Forged tokens: every one is 401 invalid_token ------------------------------------

Forgery = Callable[[Provider, TokenIssuer, str], str]


def signed(key_type: str = "ed25519", **claims: Any) -> Forgery:
    """A token the provider's key really signed, with these claims; a callable claim
    value is given the current time."""

    def forge(provider: Provider, _issuer: TokenIssuer, sub: str) -> str:
        now = int(time.time())
        values = {name: value(now) if callable(value) else value for name, value in claims.items()}
        return mint(provider.key(key_type), **{"sub": sub, **values})

    return forge


def unsigned(alg: str) -> Forgery:
    def forge(provider: Provider, _issuer: TokenIssuer, sub: str) -> str:
        header = {"alg": alg, "kid": provider.ed.kid}
        return f"{b64json(header)}.{b64json(provider_claims(sub=sub))}."

    return forge


def unsigned_keeping_the_signature(provider: Provider, _issuer: TokenIssuer, sub: str) -> str:
    _, payload, signature = mint(provider.ed, sub=sub).split(".")
    return f"{b64json({'alg': 'none', 'kid': provider.ed.kid})}.{payload}.{signature}"


def hmac_signed(secret: Callable[[Provider], bytes], alg: str = "HS256") -> Forgery:
    """The classic confusion: the provider's *public* key used as an HMAC secret."""
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]

    def forge(provider: Provider, _issuer: TokenIssuer, sub: str) -> str:
        header = {"alg": alg, "kid": provider.ed.kid}
        signing_input = f"{b64json(header)}.{b64json(provider_claims(sub=sub))}"
        signature = hmac.new(secret(provider), signing_input.encode(), digest).digest()
        return f"{signing_input}.{b64(signature)}"

    return forge


def signed_with_key_of(signer: str, kid_of: str) -> Forgery:
    """Signed by one of the provider's keys, its kid naming another of its keys."""

    def forge(provider: Provider, _issuer: TokenIssuer, sub: str) -> str:
        header = {"kid": provider.key(kid_of).kid}
        return mint(provider.key(signer), header=header, sub=sub)

    return forge


def unknown_kid(provider: Provider, _issuer: TokenIssuer, sub: str) -> str:
    return mint(ed25519_key(), sub=sub)


def impostor_key_with_a_known_kid(provider: Provider, _issuer: TokenIssuer, sub: str) -> str:
    return mint(ed25519_key(kid=provider.ed.kid), sub=sub)


def disallowed_algorithm(alg: str) -> Forgery:
    def forge(provider: Provider, _issuer: TokenIssuer, sub: str) -> str:
        return mint(provider.rsa, algorithm=alg, sub=sub)

    return forge


def bad_signature(key_type: str) -> Forgery:
    def forge(provider: Provider, _issuer: TokenIssuer, sub: str) -> str:
        header, payload, signature = mint(provider.key(key_type), sub=sub).split(".")
        flipped = bytearray(unb64(signature))
        flipped[len(flipped) // 2] ^= 0x01
        return f"{header}.{payload}.{b64(bytes(flipped))}"

    return forge


def with_header(header: dict[str, Any]) -> Forgery:
    """A genuine signature under a header that was changed afterwards."""

    def forge(provider: Provider, _issuer: TokenIssuer, sub: str) -> str:
        _, payload, signature = mint(provider.ed, sub=sub).split(".")
        return f"{b64json({'kid': provider.ed.kid, **header})}.{payload}.{signature}"

    return forge


def altered_sub(provider: Provider, _issuer: TokenIssuer, sub: str) -> str:
    header, payload, signature = mint(provider.ed).split(".")
    return f"{header}.{b64json({**json.loads(unb64(payload)), 'sub': sub})}.{signature}"


def built_in_with_altered_sub(_provider: Provider, issuer: TokenIssuer, sub: str) -> str:
    header, payload, signature = issuer.access_token(str(new_id())).split(".")
    return f"{header}.{b64json({**json.loads(unb64(payload)), 'sub': sub})}.{signature}"


def built_in_secret_with_provider_claims(_provider: Provider, issuer: TokenIssuer, sub: str) -> str:
    return jwt.encode(provider_claims(sub=sub), issuer.secret, algorithm="HS256")


def built_in_refresh_token(_provider: Provider, issuer: TokenIssuer, sub: str) -> str:
    return issuer.refresh_token(sub, session_id=str(new_id()))


def jwe(alg: str, enc: str = "A256GCM") -> Forgery:
    """Five parts, like an encrypted token (RFC 7516 compact serialisation)."""

    def forge(provider: Provider, _issuer: TokenIssuer, sub: str) -> str:
        header = {"alg": alg, "enc": enc, "kid": provider.rsa.kid}
        parts = [
            b64json(header),
            b64(secrets.token_bytes(256)),
            b64(secrets.token_bytes(12)),
            b64json(provider_claims(sub=sub)),
            b64(secrets.token_bytes(16)),
        ]
        return ".".join(parts)

    return forge


def literal(token: str) -> Forgery:
    return lambda _provider, _issuer, _sub: token


def _raw_x(provider: Provider) -> bytes:
    return unb64(provider.ed.jwk["x"])


FORGERIES: list[tuple[str, Forgery]] = [
    ("alg-none", unsigned("none")),
    ("alg-None", unsigned("None")),
    ("alg-NONE", unsigned("NONE")),
    ("alg-nOnE", unsigned("nOnE")),
    ("alg-none-keeping-a-signature", unsigned_keeping_the_signature),
    ("hs256-with-ed25519-public-pem", hmac_signed(lambda p: p.ed.public_pem)),
    ("hs256-with-ed25519-raw-public-key", hmac_signed(_raw_x)),
    ("hs256-with-ed25519-jwk-json", hmac_signed(lambda p: json.dumps(p.ed.jwk).encode())),
    ("hs256-with-rsa-public-pem", hmac_signed(lambda p: p.rsa.public_pem)),
    ("hs256-with-p256-public-pem", hmac_signed(lambda p: p.ec.public_pem)),
    ("hs384-with-rsa-public-pem", hmac_signed(lambda p: p.rsa.public_pem, "HS384")),
    ("hs512-with-rsa-public-pem", hmac_signed(lambda p: p.rsa.public_pem, "HS512")),
    ("missing-exp", signed(exp=DROP)),
    ("missing-iss", signed(iss=DROP)),
    ("missing-aud", signed(aud=DROP)),
    ("missing-sub", signed(sub=DROP)),
    ("expired-beyond-leeway", signed(iat=lambda now: now - 960, exp=lambda now: now - 60)),
    ("expired-long-ago", signed(iat=lambda now: now - 90_000, exp=lambda now: now - 86_400)),
    ("not-valid-yet", signed(nbf=lambda now: now + 600)),
    ("exp-not-a-number", signed(exp="tomorrow")),
    ("wrong-iss", signed(iss="https://evil.example.com")),
    ("iss-with-a-trailing-slash", signed(iss=f"{ISSUER}/")),
    ("wrong-aud", signed(aud="https://other.example.com")),
    ("aud-list-without-ours", signed(aud=["https://a.example.com", "https://b.example.com"])),
    ("aud-empty-list", signed(aud=[])),
    ("built-in-iss-and-aud", signed(iss=BUILT_IN_ISSUER, aud=BUILT_IN_AUDIENCE)),
    ("unknown-kid", unknown_kid),
    ("impostor-key-under-a-known-kid", impostor_key_with_a_known_kid),
    ("bad-signature-ed25519", bad_signature("ed25519")),
    ("bad-signature-p256", bad_signature("p256")),
    ("bad-signature-rsa", bad_signature("rsa")),
    ("altered-sub", altered_sub),
    ("rs256-with-the-ed25519-kid", signed_with_key_of("rsa", kid_of="ed25519")),
    ("eddsa-with-the-rsa-kid", signed_with_key_of("ed25519", kid_of="rsa")),
    ("es256-with-the-ed25519-kid", signed_with_key_of("p256", kid_of="ed25519")),
    ("header-alg-switched-to-es256", with_header({"alg": "ES256"})),
    ("header-alg-switched-to-rs256", with_header({"alg": "RS256"})),
    ("ps256-not-allowed", disallowed_algorithm("PS256")),
    ("rs512-not-allowed", disallowed_algorithm("RS512")),
    ("jwe-rsa-oaep", jwe("RSA-OAEP-256")),
    ("jwe-dir", jwe("dir")),
    ("jwe-claiming-eddsa", jwe("EdDSA")),
    ("built-in-with-altered-sub", built_in_with_altered_sub),
    ("built-in-secret-with-provider-claims", built_in_secret_with_provider_claims),
    ("built-in-refresh-token", built_in_refresh_token),
    ("not-a-jwt", literal("not-a-jwt")),
    ("two-parts", literal("eyJhbGciOiJFZERTQSJ9.e30")),
    ("header-not-json", literal(f"{b64(b'{not json')}.{b64json({'sub': 'x'})}.")),
    ("header-a-list", literal(f"{b64json(['EdDSA'])}.{b64json({'sub': 'x'})}.")),
    ("header-without-alg", with_header({})),
]


class TestForgedTokens:
    async def test_control_the_same_token_unforged_is_accepted(
        self, provider_app: FastAPI, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        # The forgeries below differ from this token only by their defect.
        token = signed()(provider, provider_app.state.token_issuer, "genuine")
        response = await external.post("/notes", json={"title": "x"}, headers=bearer(token))
        assert response.status_code == 201, response.text

    @pytest.mark.parametrize("forge", [pytest.param(forge, id=name) for name, forge in FORGERIES])
    async def test_is_401_invalid_token(
        self,
        provider_app: FastAPI,
        external: httpx.AsyncClient,
        provider: Provider,
        forge: Forgery,
    ) -> None:
        sub = f"forged-{secrets.token_hex(8)}"
        headers = bearer(forge(provider, provider_app.state.token_issuer, sub))
        assert_invalid_token(await external.post("/notes", json={"title": "x"}, headers=headers))
        assert_invalid_token(await external.post("/tasks", json={"title": "x"}, headers=headers))
        assert_invalid_token(await external.get("/auth/me", headers=headers))
        assert_invalid_token(await external.delete("/auth/me", headers=headers))
        for query in (
            select(func.count()).where(Note.workspace_id == personal_workspace_id(sub)),
            select(func.count()).where(Task.workspace_id == personal_workspace_id(sub)),
            select(func.count()).where(ExternalUser.id == sub, ExternalUser.deleted_at.is_(None)),
        ):
            assert await count_rows(provider_app, query) == 0

    async def test_unknown_kid_is_401_even_after_a_refetch(
        self, external: httpx.AsyncClient, provider: Provider
    ) -> None:
        before = provider.server.requests
        assert_invalid_token(await external.get("/notes", headers=bearer(mint(ed25519_key()))))
        assert provider.server.requests == before + 1

    @pytest.mark.parametrize(
        "forge",
        [
            pytest.param(forge, id=name)
            for name, forge in FORGERIES
            if name.startswith(("hs", "built-in", "alg-"))
        ],
    )
    async def test_hmac_and_unsigned_tokens_never_reach_the_provider(
        self,
        provider_app: FastAPI,
        external: httpx.AsyncClient,
        provider: Provider,
        forge: Forgery,
    ) -> None:
        before = provider.server.requests
        token = forge(provider, provider_app.state.token_issuer, "someone")
        assert_invalid_token(await external.get("/notes", headers=bearer(token)))
        assert provider.server.requests == before
