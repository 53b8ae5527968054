"""DELETE /auth/me (API.md §2): the account goes with everything it owns, and its
tokens and password stop working; other accounts keep all of theirs."""

import httpx
from fastapi import FastAPI

from tests.auth.account_changes.support import (
    NEW_PASSWORD,
    Account,
    another_login,
    assert_error,
    login,
    new_account,
    owned_rows,
    refresh,
)


class TestDeleteMe:
    async def test_removes_the_account_and_everything_it_owns(
        self, app: FastAPI, client: httpx.AsyncClient, account: Account
    ) -> None:
        neighbour = await new_account(client)
        for owner in (account, neighbour):
            for title in ("One", "Two"):
                # Retry-safe creates: the stored responses hold copies of the rows.
                note = await client.post(
                    "/notes",
                    json={"title": title},
                    headers={**owner.headers, "Idempotency-Key": f"note-{title}"},
                )
                assert note.status_code == 201, note.text
                task = await client.post(
                    "/tasks",
                    json={"title": title},
                    headers={**owner.headers, "Idempotency-Key": f"task-{title}"},
                )
                assert task.status_code == 201, task.text
        second = await another_login(client, account)
        await refresh(client, second.refresh_token)  # a rotated token in the family too
        assert await owned_rows(app, account.id) == {
            "auth_user": 1,
            "workspace": 1,
            "note": 2,
            "task": 2,
            "refresh_token": 3,
            "idempotency_key": 4,
        }
        neighbour_before = await owned_rows(app, neighbour.id)

        response = await client.delete("/auth/me", headers=account.headers)
        assert response.status_code == 204, response.text
        assert response.content == b""

        assert await owned_rows(app, account.id) == {
            "auth_user": 0,
            "workspace": 0,
            "note": 0,
            "task": 0,
            "refresh_token": 0,
            "idempotency_key": 0,
        }
        assert await owned_rows(app, neighbour.id) == neighbour_before
        assert_error(await client.get("/auth/me", headers=account.headers), 401, "invalid_token")
        assert_error(await login(client, account.email), 401, "invalid_credentials")
        assert_error(await refresh(client, account.refresh_token), 401, "invalid_token")
        # The neighbour sees all of theirs and can still refresh.
        for path in ("/notes", "/tasks"):
            listed = await client.get(path, headers=neighbour.headers)
            assert listed.json()["total"] == 2
        assert (await refresh(client, neighbour.refresh_token)).status_code == 200

    async def test_twice_is_401(self, client: httpx.AsyncClient, account: Account) -> None:
        assert (await client.delete("/auth/me", headers=account.headers)).status_code == 204
        response = await client.delete("/auth/me", headers=account.headers)
        assert_error(response, 401, "invalid_token")

    async def test_the_email_can_be_registered_again(
        self, client: httpx.AsyncClient, account: Account
    ) -> None:
        assert (await client.delete("/auth/me", headers=account.headers)).status_code == 204
        response = await client.post(
            "/auth/register", json={"email": account.email, "password": NEW_PASSWORD}
        )
        assert response.status_code == 201, response.text
        assert response.json()["id"] != account.id

    async def test_changing_the_deleted_account_is_401(
        self, client: httpx.AsyncClient, account: Account
    ) -> None:
        assert (await client.delete("/auth/me", headers=account.headers)).status_code == 204
        response = await client.patch(
            "/auth/me", json={"display_name": "Ghost"}, headers=account.headers
        )
        assert_error(response, 401, "invalid_token")

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.delete("/auth/me")
        assert_error(response, 401, "not_authenticated")
