"""A user sees and changes only their own tasks, through either path style (API.md §2, §4):
anyone else's task, and anyone else's `/api/{user_id}/…`, answer exactly like a task
that does not exist."""

from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import User, make_task, make_user, open_account
from tests.tasks.support import MISSING_ID, assert_not_found, tasks_url, without_request_id

# Every route that names one task: (method, path after the task's URL, JSON body).
ITEM_ROUTES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "", None),
    ("PUT", "", {"title": "Mine now"}),
    ("PATCH", "", {"title": "Mine now"}),
    ("PATCH", "/complete", None),
    ("PATCH", "/complete", {"completed": True}),
    ("DELETE", "", None),
]
# And the two that name the collection.
COLLECTION_ROUTES: list[tuple[str, dict[str, Any] | None]] = [
    ("GET", None),
    ("POST", {"title": "Planted"}),
]


async def send(
    client: httpx.AsyncClient, user: User, method: str, url: str, body: dict[str, Any] | None
) -> httpx.Response:
    return await client.request(method, url, json=body, headers=user.headers)


class TestOtherUsersTasks:
    @pytest.mark.parametrize(("method", "suffix", "body"), ITEM_ROUTES)
    async def test_other_users_task_is_404_like_a_missing_one(
        self,
        client: httpx.AsyncClient,
        user: User,
        other_user: User,
        style: str,
        method: str,
        suffix: str,
        body: dict[str, Any] | None,
    ) -> None:
        theirs = await make_task(client, other_user, description="private")
        base = tasks_url(style, user)
        foreign = await send(client, user, method, f"{base}/{theirs['id']}{suffix}", body)
        missing = await send(client, user, method, f"{base}/{MISSING_ID}{suffix}", body)
        assert_not_found(foreign)
        assert without_request_id(foreign.json()) == without_request_id(missing.json())
        assert foreign.headers["content-type"] == missing.headers["content-type"]
        unchanged = await client.get(f"/tasks/{theirs['id']}", headers=other_user.headers)
        assert unchanged.json() == theirs

    async def test_other_users_tasks_are_not_listed(
        self, client: httpx.AsyncClient, user: User, other_user: User, style: str
    ) -> None:
        await make_task(client, other_user)
        for status in ("all", "pending"):
            response = await client.get(
                tasks_url(style, user), params={"status": status}, headers=user.headers
            )
            assert response.json()["total"] == 0


class TestUserScopedPaths:
    @pytest.mark.parametrize(("method", "suffix", "body"), ITEM_ROUTES)
    async def test_another_user_id_in_the_path_is_404_for_an_item(
        self,
        client: httpx.AsyncClient,
        user: User,
        other_user: User,
        method: str,
        suffix: str,
        body: dict[str, Any] | None,
    ) -> None:
        mine = await make_task(client, user)
        theirs = await make_task(client, other_user)
        for task in (mine, theirs):
            url = f"/api/{other_user.id}/tasks/{task['id']}{suffix}"
            assert_not_found(await send(client, user, method, url, body))
        for owner, task in ((user, mine), (other_user, theirs)):
            unchanged = await client.get(f"/tasks/{task['id']}", headers=owner.headers)
            assert unchanged.json() == task

    @pytest.mark.parametrize(("method", "body"), COLLECTION_ROUTES)
    @pytest.mark.parametrize("path_user", ["other", "nobody", "blank"])
    async def test_another_user_id_in_the_path_is_404_for_the_list(
        self,
        client: httpx.AsyncClient,
        user: User,
        other_user: User,
        method: str,
        body: dict[str, Any] | None,
        path_user: str,
    ) -> None:
        await make_task(client, other_user)
        user_id = {"other": other_user.id, "nobody": "nobody", "blank": "%20"}[path_user]
        response = await send(client, user, method, f"/api/{user_id}/tasks", body)
        assert_not_found(response)
        for owner in (user, other_user):
            listed = await client.get("/tasks", headers=owner.headers)
            assert listed.json()["total"] == (1 if owner is other_user else 0)

    async def test_a_registered_user_uses_both_styles(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        created = await client.post(
            f"/api/{user.id}/tasks", json={"title": "T"}, headers=user.headers
        )
        assert created.status_code == 201
        task_id = created.json()["id"]
        same = await client.get(f"/tasks/{task_id}", headers=user.headers)
        assert same.json() == created.json()

    async def test_an_identity_providers_subject_in_the_path(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        subject = "github|42 é"
        await open_account(app, subject)
        user = User(id=subject, email="", token=app.state.token_issuer.access_token(subject))
        base = f"/api/{quote(subject, safe='')}/tasks"
        created = await client.post(base, json={"title": "T"}, headers=user.headers)
        assert created.status_code == 201
        assert created.headers["location"] == f"{base}/{created.json()['id']}"
        followed = await client.get(created.headers["location"], headers=user.headers)
        assert followed.json() == created.json()
        assert (await client.get(base, headers=user.headers)).json()["total"] == 1
