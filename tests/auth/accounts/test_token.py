"""POST /auth/token (API.md §2): logging in by form or JSON."""

from collections.abc import Awaitable, Callable

import httpx
import jwt
import pytest
from fastapi import FastAPI

from teamnotes.auth import passwords, service
from tests.auth.accounts.support import ARGON2ID_PREFIX, JSON, stored_hash
from tests.errors import assert_error, assert_validation_error
from tests.factories import PASSWORD, make_user, unique_email, without_request_id


class TestLogin:
    @pytest.mark.parametrize(
        "extras",
        [
            {},
            {"grant_type": "password"},
            {"grant_type": "password", "scope": "", "client_id": "", "client_secret": ""},
            {"scope": "read write", "client_id": "swagger-ui", "client_secret": "s3cret"},
        ],
    )
    async def test_oauth2_password_form_logs_in(
        self, client: httpx.AsyncClient, extras: dict[str, str]
    ) -> None:
        user = await make_user(client)
        response = await client.post(
            "/auth/token", data={"username": user.email, "password": PASSWORD, **extras}
        )
        assert response.status_code == 200, response.text
        assert response.json()["token_type"] == "bearer"

    async def test_json_body_logs_in(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        response = await client.post(
            "/auth/token", json={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text

    async def test_email_is_matched_whatever_its_case_and_surrounding_blanks(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        form = await client.post(
            "/auth/token", data={"username": f" {user.email.upper()} ", "password": PASSWORD}
        )
        assert form.status_code == 200
        body = {"email": f"{user.email.title()} ", "password": PASSWORD}
        assert (await client.post("/auth/token", json=body)).status_code == 200

    async def test_answers_a_bearer_token_for_15_minutes(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        response = await client.post(
            "/auth/token", data={"username": user.email, "password": PASSWORD}
        )
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 900
        assert isinstance(body["access_token"], str)
        assert response.headers["Cache-Control"] == "no-store"

    async def test_token_carries_the_documented_claims(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        token = user.token
        assert jwt.get_unverified_header(token)["alg"] == "HS256"
        claims = jwt.decode(token, options={"verify_signature": False})
        assert {"sub", "iat", "exp", "iss", "aud", "jti"} <= set(claims)
        assert claims["sub"] == user.id
        assert claims["exp"] - claims["iat"] == 900
        assert claims["iss"]
        assert claims["aud"]
        again = await client.post(
            "/auth/token", data={"username": user.email, "password": PASSWORD}
        )
        other = jwt.decode(again.json()["access_token"], options={"verify_signature": False})
        assert other["jti"] != claims["jti"]

    async def test_the_token_opens_the_api(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        assert (await client.get("/auth/me", headers=user.headers)).status_code == 200
        assert (await client.get("/notes", headers=user.headers)).status_code == 200

    async def test_wrong_password_and_unknown_email_answer_alike(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        wrong_password = await client.post(
            "/auth/token", data={"username": user.email, "password": "not the password"}
        )
        unknown_email = await client.post(
            "/auth/token", data={"username": unique_email(), "password": "not the password"}
        )
        for response in (wrong_password, unknown_email):
            body = assert_error(response, 401, "invalid_credentials")
            assert body["field"] is None
            assert response.headers["WWW-Authenticate"] == "Bearer"
            assert response.headers["Cache-Control"] == "no-store"
        assert without_request_id(wrong_password.json()) == without_request_id(unknown_email.json())

    async def test_wrong_password_by_json_is_401(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        response = await client.post(
            "/auth/token", json={"email": user.email, "password": PASSWORD + "!"}
        )
        assert_error(response, 401, "invalid_credentials")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_unknown_email_verifies_the_dummy_hash(
        self, client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Both failures do the same argon2 work: an unknown email is checked against a
        hash with the same parameters, so timing does not tell whether it exists."""
        user = await make_user(client)
        verified: list[str] = []
        real_verify = passwords.verify_password

        async def spy(password_hash: str, password: str) -> bool:
            verified.append(password_hash)
            return await real_verify(password_hash, password)

        # Wherever the name is looked up: the service imports it into its namespace.
        monkeypatch.setattr(passwords, "verify_password", spy)
        monkeypatch.setattr(service, "verify_password", spy)

        async def login(email: str) -> httpx.Response:
            return await client.post("/auth/token", data={"username": email, "password": "wrong"})

        assert (await login(unique_email())).status_code == 401
        assert verified == [passwords.dummy_hash()]
        verified.clear()
        assert (await login(user.email)).status_code == 401
        assert verified == [await stored_hash(app, user.email)]
        assert passwords.dummy_hash().startswith(ARGON2ID_PREFIX)

    async def test_unknown_email_never_matches_even_the_dummy_password(
        self, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Even a password that verifies against the dummy hash opens nothing.
        async def always(password_hash: str, password: str) -> bool:
            return True

        patched: Callable[[str, str], Awaitable[bool]] = always
        monkeypatch.setattr(passwords, "verify_password", patched)
        monkeypatch.setattr(service, "verify_password", patched)
        response = await client.post(
            "/auth/token", data={"username": unique_email(), "password": "anything"}
        )
        assert_error(response, 401, "invalid_credentials")

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"username": "a@example.com", "password": "x", "remember_me": "1"}, "remember_me"),
            ({"username": "a@example.com"}, "password"),
            ({"password": "x"}, "username"),
            ({"username": "a@example.com", "password": "x", "grant_type": "code"}, "grant_type"),
        ],
    )
    async def test_bad_form_is_422(
        self, client: httpx.AsyncClient, data: dict[str, str], field: str
    ) -> None:
        assert_validation_error(await client.post("/auth/token", data=data), field)

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"email": "a@example.com"}, "password"),
            ({"password": "x"}, "email"),
            ({"email": "a@example.com", "password": "x", "username": "a"}, "username"),
        ],
    )
    async def test_bad_json_is_422(
        self, client: httpx.AsyncClient, body: dict[str, str], field: str
    ) -> None:
        assert_validation_error(await client.post("/auth/token", json=body), field)

    async def test_broken_json_is_400(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/auth/token", content=b"{", headers=JSON)
        assert_error(response, 400, "invalid_json")

    @pytest.mark.parametrize("content_type", ["text/plain", "application/xml"])
    async def test_other_body_types_are_415(
        self, client: httpx.AsyncClient, content_type: str
    ) -> None:
        response = await client.post(
            "/auth/token",
            content=b'{"email": "a@example.com", "password": "whatever"}',
            headers={"Content-Type": content_type},
        )
        assert_error(response, 415, "unsupported_media_type")
