"""An external identity provider for tests (API.md §2): keys, a JWKS endpoint served on
loopback, and the tokens it signs.

The provider looks like Better-Auth's JWT plugin: Ed25519 keys published as
`{kty: OKP, crv: Ed25519, x, kid, alg: EdDSA}` with no `use`, tokens with the header
`{"alg": "EdDSA", "kid": …}` and no `typ`; it also has a P-256 (ES256) and an RSA
(RS256) key.
"""

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

ISSUER = "https://frontend.example.com"
AUDIENCE = "https://frontend.example.com"
DROP = object()  # a claim value meaning "leave this claim out"


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


KEY_TYPES = ["ed25519", "p256", "rsa"]
