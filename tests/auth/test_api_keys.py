"""`/auth/api-keys` (API.md §11): making, listing and revoking keys."""

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from teamnotes.auth.api_keys_service import MOST_KEYS
from tests.auth.keys import make_key, make_workspace
from tests.factories import make_user, token_user


def _in(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


class TestCreateApiKey:
    async def test_answers_the_token_once_with_its_prefix(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user = await token_user(app)
        key = await make_key(client, user, scope="write", name="  CI  ")
        body = key.body
        assert body["token"].startswith("tn_")
        assert len(body["token"]) >= 3 + 27  # 160 bits or more, base64url
        assert body["prefix"] == body["token"][:10]
        assert body["name"] == "CI"
        assert body["scope"] == "write"
        assert body["workspace_id"] is None
        assert body["expires_at"] is None
        assert body["last_used_at"] is None

        listed = await client.get("/auth/api-keys", headers=user.headers)
        assert listed.status_code == 200
        [item] = listed.json()["items"]
        assert "token" not in item
        assert item == {name: value for name, value in body.items() if name != "token"}

    async def test_bound_to_a_workspace_of_the_caller(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user = await token_user(app)
        workspace = await make_workspace(client, user)
        key = await make_key(client, user, workspace_id=workspace, expires_at=_in(3600))
        assert key.body["workspace_id"] == workspace
        assert key.body["expires_at"].endswith("Z")

    async def test_a_workspace_the_caller_is_not_in_is_404(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        owner, stranger = await token_user(app), await token_user(app)
        workspace = await make_workspace(client, owner)
        response = await client.post(
            "/auth/api-keys",
            json={"name": "k", "scope": "read", "workspace_id": workspace},
            headers=stranger.headers,
        )
        assert response.status_code == 404, response.text
        assert response.json()["detail"] == "Workspace not found"

    async def test_a_past_expiry_is_422(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        user = await token_user(app)
        response = await client.post(
            "/auth/api-keys",
            json={"name": "k", "scope": "read", "expires_at": _in(-60)},
            headers=user.headers,
        )
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "expires_at"

    async def test_bad_bodies_are_422(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        user = await token_user(app)
        for body, field in (
            ({"name": " ", "scope": "read"}, "name"),
            ({"name": "k" * 101, "scope": "read"}, "name"),
            ({"name": "k", "scope": "admin"}, "scope"),
            ({"name": "k"}, "scope"),
            ({"name": "k", "scope": "read", "user_id": user.id}, "user_id"),
        ):
            response = await client.post("/auth/api-keys", json=body, headers=user.headers)
            assert response.status_code == 422, (body, response.text)
            assert response.json()["field"] == field

    async def test_at_most_a_hundred_per_user(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user = await token_user(app)
        for _ in range(MOST_KEYS):
            await make_key(client, user)
        refused = await client.post(
            "/auth/api-keys", json={"name": "one more", "scope": "read"}, headers=user.headers
        )
        assert refused.status_code == 409, refused.text
        assert refused.json()["error_code"] == "conflict"
        listed = await client.get("/auth/api-keys", headers=user.headers)
        assert listed.json()["total"] == MOST_KEYS


class TestListApiKeys:
    async def test_newest_first_and_only_the_callers(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user, other = await token_user(app), await token_user(app)
        first = await make_key(client, user, name="first")
        second = await make_key(client, user, name="second")
        await make_key(client, other)
        listed = (await client.get("/auth/api-keys", headers=user.headers)).json()
        assert [item["id"] for item in listed["items"]] == [second.id, first.id]
        assert listed["total"] == 2
        paged = await client.get("/auth/api-keys?limit=1&offset=1", headers=user.headers)
        assert [item["id"] for item in paged.json()["items"]] == [first.id]


class TestRevokeApiKey:
    async def test_the_key_stops_working_and_leaves_the_list(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        user = await token_user(app)
        key = await make_key(client, user)
        assert (await client.get("/notes", headers=key.headers)).status_code == 200
        revoked = await client.delete(f"/auth/api-keys/{key.id}", headers=user.headers)
        assert revoked.status_code == 204
        refused = await client.get("/notes", headers=key.headers)
        assert refused.status_code == 401
        assert refused.json()["error_code"] == "invalid_token"
        assert refused.headers["WWW-Authenticate"] == "Bearer"
        listed = await client.get("/auth/api-keys", headers=user.headers)
        assert listed.json()["items"] == []

    async def test_another_users_key_is_404(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        user, other = await token_user(app), await token_user(app)
        key = await make_key(client, user)
        for key_id in (key.id, "not-a-uuid"):
            response = await client.delete(f"/auth/api-keys/{key_id}", headers=other.headers)
            assert response.status_code == 404
            assert response.json()["detail"] == "API key not found"
        assert (await client.get("/notes", headers=key.headers)).status_code == 200


class TestAccountDeletion:
    async def test_the_keys_go_with_the_account(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        key = await make_key(client, user, scope="write")
        assert (await client.delete("/auth/me", headers=user.headers)).status_code == 204
        response = await client.get("/notes", headers=key.headers)
        assert response.status_code == 401
        assert response.json()["error_code"] == "invalid_token"
