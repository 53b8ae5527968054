"""Small async helpers that make what a test needs through the public API."""

import secrets
from dataclasses import dataclass
from typing import Any

import httpx

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class User:
    id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def unique_email() -> str:
    return f"user-{secrets.token_hex(6)}@example.com"


async def make_user(client: httpx.AsyncClient, *, email: str | None = None) -> User:
    email = email or unique_email()
    registered = await client.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    login = await client.post("/auth/token", data={"username": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return User(id=registered.json()["id"], email=email, token=login.json()["access_token"])


async def make_note(client: httpx.AsyncClient, user: User, **fields: Any) -> dict[str, Any]:
    body = {"title": "A note", "content": "Some *Markdown*", **fields}
    response = await client.post("/notes", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]
