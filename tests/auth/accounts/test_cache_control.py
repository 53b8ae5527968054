"""Cache-Control on the account routes (API.md §5): no answer is ever stored."""

import httpx

from tests.auth.accounts.support import register
from tests.factories import PASSWORD, unique_email


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
