import asyncio

import httpx
import pytest

from tests.factories import User, make_task
from tests.tasks.support import assert_validation_error, tasks_url

JSON = {"Content-Type": "application/json"}


class TestCompleteTask:
    async def test_without_a_body_toggles(
        self, client: httpx.AsyncClient, user: User, style: str
    ) -> None:
        task = await make_task(client, user)
        url = f"{tasks_url(style, user)}/{task['id']}/complete"
        done = await client.patch(url, headers=user.headers)
        assert done.status_code == 200
        assert done.json() == {
            **task,
            "completed": True,
            "completed_at": done.json()["updated_at"],
            "updated_at": done.json()["updated_at"],
            "version": 2,
        }
        assert done.headers["etag"] == '"2"'
        undone = await client.patch(url, headers=user.headers)
        assert undone.json()["completed"] is False
        assert undone.json()["completed_at"] is None
        assert undone.json()["version"] == 3

    @pytest.mark.parametrize("content", [b"", b"{}", b" { } "])
    async def test_an_empty_body_or_object_toggles(
        self, client: httpx.AsyncClient, user: User, content: bytes
    ) -> None:
        task = await make_task(client, user, completed=True)
        url = f"/tasks/{task['id']}/complete"
        response = await client.patch(url, content=content, headers={**user.headers, **JSON})
        assert response.status_code == 200
        assert response.json()["completed"] is False
        assert response.json()["completed_at"] is None

    @pytest.mark.parametrize("completed", [True, False])
    async def test_a_value_sets_it(
        self, client: httpx.AsyncClient, user: User, completed: bool
    ) -> None:
        task = await make_task(client, user)
        url = f"/tasks/{task['id']}/complete"
        first = await client.patch(url, json={"completed": completed}, headers=user.headers)
        assert first.status_code == 200
        assert first.json()["completed"] is completed
        second = await client.patch(url, json={"completed": completed}, headers=user.headers)
        assert second.json() == first.json()  # setting it again changes nothing
        assert first.json()["version"] == (2 if completed else 1)
        assert (first.json()["completed_at"] is not None) is completed

    async def test_concurrent_toggles_each_count(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        task = await make_task(client, user)
        url = f"/tasks/{task['id']}/complete"
        responses = await asyncio.gather(
            *(client.patch(url, headers=user.headers) for _ in range(4))
        )
        assert sorted(response.json()["version"] for response in responses) == [2, 3, 4, 5]
        final = (await client.get(f"/tasks/{task['id']}", headers=user.headers)).json()
        assert final["completed"] is False
        assert final["completed_at"] is None

    @pytest.mark.parametrize(
        ("content", "field"),
        [
            (b"null", None),
            (b"[]", None),
            (b"true", None),
            (b'{"completed": null}', "completed"),
            (b'{"completed": "yes"}', "completed"),
            (b'{"done": true}', "done"),
        ],
    )
    async def test_any_other_body_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient, user: User, content: bytes, field: str | None
    ) -> None:
        task = await make_task(client, user)
        url = f"/tasks/{task['id']}/complete"
        response = await client.patch(url, content=content, headers={**user.headers, **JSON})
        assert_validation_error(response, field)
        assert (await client.get(f"/tasks/{task['id']}", headers=user.headers)).json() == task

    async def test_a_non_json_body_is_415(self, client: httpx.AsyncClient, user: User) -> None:
        task = await make_task(client, user)
        response = await client.patch(
            f"/tasks/{task['id']}/complete",
            content=b"completed=true",
            headers={**user.headers, "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 415

    async def test_stale_if_match_is_412_and_changes_nothing(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        task = await make_task(client, user)
        headers = {**user.headers, "If-Match": '"2"'}
        response = await client.patch(f"/tasks/{task['id']}/complete", headers=headers)
        assert response.status_code == 412
        assert (await client.get(f"/tasks/{task['id']}", headers=user.headers)).json() == task

    async def test_current_if_match_applies(self, client: httpx.AsyncClient, user: User) -> None:
        task = await make_task(client, user)
        headers = {**user.headers, "If-Match": '"1"'}
        response = await client.patch(f"/tasks/{task['id']}/complete", headers=headers)
        assert response.status_code == 200
        assert response.json()["completed"] is True
