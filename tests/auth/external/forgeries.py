"""Forged tokens of every kind a JWT library has been fooled by: each must be refused."""

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

import jwt

from teamnotes.auth.tokens import AUDIENCE as BUILT_IN_AUDIENCE
from teamnotes.auth.tokens import ISSUER as BUILT_IN_ISSUER
from teamnotes.auth.tokens import TokenIssuer
from teamnotes.kit.ids import new_id
from tests.auth.external.apps import Provider
from tests.auth.external.provider import (
    DROP,
    ISSUER,
    b64,
    b64json,
    ed25519_key,
    mint,
    provider_claims,
    unb64,
)

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
