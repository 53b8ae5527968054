"""Bearer tokens on every notes route (API.md §2): what is refused, and how."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from teamnotes.auth.tokens import AUDIENCE, ISSUER
from teamnotes.kit.ids import new_id
from tests.conftest import TEST_SECRET
from tests.errors import assert_error
from tests.factories import access_token, open_account
from tests.notes.support import ALL_ROUTES, missing_id, request


def signed(
    secret: str = TEST_SECRET, *, drop: str | None = None, algorithm: str = "HS256", **claims: Any
) -> str:
    now = datetime.now(UTC)
    payload = {
        "sub": str(new_id()),
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "jti": "a-token-id",
        **claims,
    }
    if drop:
        del payload[drop]
    return jwt.encode(payload, secret, algorithm=algorithm)


def unsigned() -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(datetime.now(UTC).timestamp())
    claims = {"sub": "x", "iat": now, "exp": now + 300, "iss": ISSUER, "aud": AUDIENCE, "jti": "j"}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class TestAuthentication:
    @pytest.mark.parametrize(("method", "path", "body"), ALL_ROUTES)
    @pytest.mark.parametrize("authorization", [None, "Basic dXNlcjpwYXNz", "Bearer", "Token abc"])
    async def test_no_bearer_token_is_401_not_authenticated(
        self,
        client: httpx.AsyncClient,
        method: str,
        path: str,
        body: dict[str, str] | None,
        authorization: str | None,
    ) -> None:
        headers = {"Authorization": authorization} if authorization else {}
        response = await request(client, method, path.format(id=missing_id()), None, body, headers)
        body_ = assert_error(response, 401, "not_authenticated")
        assert body_["field"] is None
        assert response.headers["WWW-Authenticate"] == "Bearer"

    @pytest.mark.parametrize(("method", "path", "body"), ALL_ROUTES)
    async def test_garbage_token_is_401_invalid_token(
        self, client: httpx.AsyncClient, method: str, path: str, body: dict[str, str] | None
    ) -> None:
        headers = {"Authorization": "Bearer not.a.jwt"}
        response = await request(client, method, path.format(id=missing_id()), None, body, headers)
        assert_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_a_well_formed_token_is_accepted(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        # The control for the refusals below: only the one defect differs.
        user_id = str(new_id())
        await open_account(app, user_id)
        token = signed(sub=user_id)
        response = await client.get("/notes", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "token",
        [
            pytest.param(signed("another secret that is long enough, really"), id="wrong-secret"),
            pytest.param(signed(aud="someone-else"), id="wrong-audience"),
            pytest.param(signed(iss="someone-else"), id="wrong-issuer"),
            pytest.param(signed(drop="exp"), id="no-exp"),
            pytest.param(signed(drop="jti"), id="no-jti"),
            pytest.param(signed(drop="sub"), id="no-sub"),
            pytest.param(signed(drop="aud"), id="no-aud"),
            pytest.param(signed(sub=""), id="empty-sub"),
            pytest.param(signed(sub="s" * 256), id="sub-too-long"),
            pytest.param(unsigned(), id="alg-none"),
            pytest.param(signed(algorithm="HS384"), id="alg-hs384"),
            pytest.param("a.b.c", id="garbage"),
        ],
    )
    async def test_bad_token_is_401_invalid_token(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        response = await client.get("/notes", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_expired_token_is_401_invalid_token(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        token = access_token(app, str(new_id()), expires_in=-60)
        response = await client.get("/notes", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_a_token_expired_within_the_leeway_still_works(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user_id = str(new_id())
        await open_account(app, user_id)
        token = access_token(app, user_id, expires_in=-10)
        response = await client.get("/notes", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
