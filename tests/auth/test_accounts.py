"""Local accounts (API.md §2): register, log in by form or JSON, read yourself."""

import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from teamnotes.auth import passwords, service
from teamnotes.auth.models import User as UserRow
from teamnotes.kit.ids import new_id
from tests.factories import PASSWORD, access_token, make_user, unique_email, without_request_id

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
# OWASP's minimum for argon2id: 19 MiB, two passes, one lane.
ARGON2ID_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$"
USER_FIELDS = {"id", "email", "display_name", "created_at"}
JSON = {"Content-Type": "application/json"}


def assert_error(response: httpx.Response, status: int, error_code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error_code"] == error_code
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


def assert_validation_error(response: httpx.Response, field: str) -> None:
    body = assert_error(response, 422, "validation_error")
    assert body["field"] == field
    assert field in [error["field"] for error in body["errors"]]


async def register(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/auth/register", json={"password": PASSWORD, **body})


async def stored_hash(app: FastAPI, email: str) -> str:
    async with app.state.database.reader.connect() as connection:
        statement = select(UserRow.password_hash).where(UserRow.email == email)
        return str((await connection.execute(statement)).scalar_one())


class TestRegister:
    async def test_returns_201_and_the_user_without_any_password(
        self, client: httpx.AsyncClient
    ) -> None:
        email = unique_email()
        response = await register(client, email=email)
        assert response.status_code == 201
        user = response.json()
        assert set(user) == USER_FIELDS
        assert user["email"] == email
        assert user["display_name"] is None
        assert UUID7.match(user["id"])
        assert TIMESTAMP.match(user["created_at"])
        assert PASSWORD not in response.text
        assert "argon2" not in response.text

    async def test_email_is_trimmed_and_lowercased(self, client: httpx.AsyncClient) -> None:
        local = f"Mixed.Case-{new_id().hex[-8:]}"
        response = await register(client, email=f"  {local}@Example.COM \n")
        assert response.status_code == 201
        assert response.json()["email"] == f"{local.lower()}@example.com"

    @pytest.mark.parametrize(
        "email",
        [
            "not-an-email",
            "a@",
            "@example.com",
            "a b@example.com",
            "a@b@example.com",
            "",
            "   ",
            "a\x00@example.com",
            f"{'a' * 300}@example.com",
        ],
    )
    async def test_invalid_email_is_422(self, client: httpx.AsyncClient, email: str) -> None:
        assert_validation_error(await register(client, email=email), "email")

    async def test_missing_email_is_422(self, client: httpx.AsyncClient) -> None:
        assert_validation_error(await register(client), "email")

    @pytest.mark.parametrize("password", ["", "a" * 7, "é" * 7, "a" * 257, "a" * 7 + "\x00"])
    async def test_password_outside_8_to_256_characters_or_with_nul_is_422(
        self, client: httpx.AsyncClient, password: str
    ) -> None:
        response = await register(client, email=unique_email(), password=password)
        assert_validation_error(response, "password")

    @pytest.mark.parametrize("password", ["a" * 8, "é" * 256])
    async def test_password_of_8_to_256_characters_is_accepted(
        self, client: httpx.AsyncClient, password: str
    ) -> None:
        email = unique_email()
        assert (await register(client, email=email, password=password)).status_code == 201
        login = await client.post("/auth/token", json={"email": email, "password": password})
        assert login.status_code == 200

    async def test_password_is_used_exactly_as_sent(self, client: httpx.AsyncClient) -> None:
        email, password = unique_email(), "  spaced out  "
        assert (await register(client, email=email, password=password)).status_code == 201
        login = await client.post("/auth/token", json={"email": email, "password": password})
        assert login.status_code == 200
        trimmed = await client.post("/auth/token", json={"email": email, "password": "spaced out"})
        assert_error(trimmed, 401, "invalid_credentials")

    @pytest.mark.parametrize("spelling", [str.lower, str.upper, str.title])
    async def test_duplicate_email_in_any_case_is_409(
        self, client: httpx.AsyncClient, spelling: Callable[[str], str]
    ) -> None:
        email = unique_email()
        assert (await register(client, email=email)).status_code == 201
        response = await register(client, email=f" {spelling(email)} ", password="another password")
        assert_error(response, 409, "email_taken")

    async def test_display_name_is_trimmed(self, client: httpx.AsyncClient) -> None:
        response = await register(client, email=unique_email(), display_name="  Ada Lovelace \t")
        assert response.status_code == 201
        assert response.json()["display_name"] == "Ada Lovelace"

    @pytest.mark.parametrize("display_name", ["", "   ", "\n", "Ada\x00"])
    async def test_blank_display_name_or_with_nul_is_422(
        self, client: httpx.AsyncClient, display_name: str
    ) -> None:
        response = await register(client, email=unique_email(), display_name=display_name)
        assert_validation_error(response, "display_name")

    @pytest.mark.parametrize("field", ["id", "created_at", "password_hash", "is_admin"])
    async def test_unknown_field_is_422(self, client: httpx.AsyncClient, field: str) -> None:
        response = await register(client, email=unique_email(), **{field: "x"})
        assert_validation_error(response, field)

    async def test_form_body_is_415(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/auth/register", data={"email": unique_email(), "password": PASSWORD}
        )
        assert_error(response, 415, "unsupported_media_type")

    async def test_broken_json_is_400(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/auth/register", content=b'{"email": ', headers=JSON)
        assert_error(response, 400, "invalid_json")

    async def test_stores_an_argon2id_hash_at_owasp_cost(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        email = unique_email()
        assert (await register(client, email=email)).status_code == 201
        password_hash = await stored_hash(app, email)
        assert password_hash.startswith(ARGON2ID_PREFIX)
        assert PASSWORD not in password_hash


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


class TestMe:
    async def test_returns_the_registered_user(self, client: httpx.AsyncClient) -> None:
        email = unique_email()
        registered = await register(client, email=email, display_name="Grace")
        login = await client.post("/auth/token", data={"username": email, "password": PASSWORD})
        token = login.json()["access_token"]
        response = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert response.json() == registered.json()
        assert response.headers["Cache-Control"] == "no-store"

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/auth/me")
        assert_error(response, 401, "not_authenticated")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_a_token_for_a_user_that_does_not_exist_is_401(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        token = access_token(app, str(new_id()))
        response = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, "invalid_token")
        assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_a_garbage_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/auth/me", headers={"Authorization": "Bearer garbage"})
        assert_error(response, 401, "invalid_token")


class TestAuthResponsesAreNotStored:
    async def test_every_auth_response_is_no_store(self, client: httpx.AsyncClient) -> None:
        email = unique_email()
        responses = [
            await register(client, email=email),
            await register(client, email=email),
            await register(client, email="nope"),
            await client.post("/auth/token", data={"username": email, "password": PASSWORD}),
            await client.post("/auth/token", data={"username": email, "password": "wrong!"}),
            await client.post("/auth/token", content=b"x", headers={"Content-Type": "text/plain"}),
            await client.get("/auth/me"),
        ]
        assert [response.status_code for response in responses] == [
            201,
            409,
            422,
            200,
            401,
            415,
            401,
        ]
        for response in responses:
            assert response.headers["Cache-Control"] == "no-store"
