from typing import Any

import httpx
import pytest

from tests.factories import User, make_task
from tests.tasks.support import assert_not_found, assert_validation_error, tasks_url

T0 = "2030-01-01T00:00:00Z"
T1 = "2031-01-01T00:00:00Z"


async def listed(
    client: httpx.AsyncClient, user: User, url: str = "/tasks", **params: Any
) -> dict[str, Any]:
    response = await client.get(url, params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def ids(client: httpx.AsyncClient, user: User, **params: Any) -> list[str]:
    return [task["id"] for task in (await listed(client, user, limit=100, **params))["items"]]


class TestListTasks:
    async def test_an_empty_list(self, client: httpx.AsyncClient, user: User, style: str) -> None:
        page = await listed(client, user, tasks_url(style, user))
        assert page == {"items": [], "total": 0, "limit": 20, "offset": 0}

    async def test_lists_only_the_callers_tasks_by_order(
        self, client: httpx.AsyncClient, user: User, other_user: User, style: str
    ) -> None:
        second = await make_task(client, user, order=2)
        first = await make_task(client, user, order=1)
        await make_task(client, other_user, order=0)
        page = await listed(client, user, tasks_url(style, user))
        assert page == {"items": [first, second], "total": 2, "limit": 20, "offset": 0}

    async def test_ties_in_order_break_by_id(self, client: httpx.AsyncClient, user: User) -> None:
        tasks = [await make_task(client, user, order=5) for _ in range(3)]
        expected = sorted(task["id"] for task in tasks)
        assert await ids(client, user) == expected
        assert await ids(client, user, sort="-order") == expected[::-1]

    @pytest.mark.parametrize("field", ["title", "order", "due_at"])
    async def test_each_sort_in_both_directions(
        self, client: httpx.AsyncClient, user: User, field: str
    ) -> None:
        values = {
            "title": ["b", "B", "a", "b", "é"],
            "order": [3, -1, 2, 3, 0],
            "due_at": [T1, T0, "2030-06-01T00:00:00+02:00", T1, "1900-01-01T00:00:00Z"],
        }[field]
        tasks = [await make_task(client, user, **{field: value}) for value in values]
        ascending = [task["id"] for task in sorted(tasks, key=lambda t: (t[field], t["id"]))]
        assert await ids(client, user, sort=field) == ascending
        assert await ids(client, user, sort=f"-{field}") == ascending[::-1]

    async def test_by_creation_and_update_time(self, client: httpx.AsyncClient, user: User) -> None:
        first, second, third = [await make_task(client, user, order=-i) for i in range(3)]
        await client.patch(f"/tasks/{first['id']}", json={"title": "x"}, headers=user.headers)
        assert await ids(client, user, sort="created_at") == [
            first["id"],
            second["id"],
            third["id"],
        ]
        assert await ids(client, user, sort="-created_at") == [
            third["id"],
            second["id"],
            first["id"],
        ]
        assert await ids(client, user, sort="updated_at") == [
            second["id"],
            third["id"],
            first["id"],
        ]
        assert await ids(client, user, sort="-updated_at") == [
            first["id"],
            third["id"],
            second["id"],
        ]

    async def test_tasks_without_due_at_come_last_in_both_directions(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        undated = sorted([(await make_task(client, user))["id"] for _ in range(2)])
        late = (await make_task(client, user, due_at=T1))["id"]
        early = (await make_task(client, user, due_at=T0))["id"]
        assert await ids(client, user, sort="due_at") == [early, late, *undated]
        assert await ids(client, user, sort="-due_at") == [late, early, *undated[::-1]]

    @pytest.mark.parametrize(
        ("status", "expected"), [("all", [0, 1, 2]), ("pending", [0, 2]), ("completed", [1])]
    )
    async def test_by_status(
        self, client: httpx.AsyncClient, user: User, status: str, expected: list[int]
    ) -> None:
        tasks = [await make_task(client, user, completed=i == 1) for i in range(3)]
        page = await listed(client, user, status=status)
        assert [task["id"] for task in page["items"]] == [tasks[i]["id"] for i in expected]
        assert page["total"] == len(expected)

    async def test_status_follows_the_toggle(self, client: httpx.AsyncClient, user: User) -> None:
        task = await make_task(client, user)
        await client.patch(f"/tasks/{task['id']}/complete", headers=user.headers)
        assert await ids(client, user, status="completed") == [task["id"]]
        assert await ids(client, user, status="pending") == []

    async def test_pages_carry_the_total(self, client: httpx.AsyncClient, user: User) -> None:
        tasks = [await make_task(client, user) for _ in range(5)]
        page = await listed(client, user, limit=2, offset=2)
        assert page["items"] == tasks[2:4]
        assert (page["total"], page["limit"], page["offset"]) == (5, 2, 2)
        last = await listed(client, user, limit=2, offset=4)
        assert last["items"] == tasks[4:]
        past_the_end = await listed(client, user, limit=2, offset=9)
        assert past_the_end == {"items": [], "total": 5, "limit": 2, "offset": 9}
        filtered = await listed(client, user, status="completed", offset=3)
        assert filtered == {"items": [], "total": 0, "limit": 20, "offset": 3}

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"limit": 0}, "query.limit"),
            ({"limit": 101}, "query.limit"),
            ({"offset": -1}, "query.offset"),
            ({"limit": "ten"}, "query.limit"),
            ({"sort": "id"}, "query.sort"),
            ({"sort": "+order"}, "query.sort"),
            ({"sort": "--order"}, "query.sort"),
            ({"status": "done"}, "query.status"),
        ],
    )
    async def test_out_of_range_parameters_are_422(
        self, client: httpx.AsyncClient, user: User, params: dict[str, Any], field: str
    ) -> None:
        response = await client.get("/tasks", params=params, headers=user.headers)
        assert_validation_error(response, field)

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/tasks")
        assert response.status_code == 401
        assert response.json()["error_code"] == "not_authenticated"

    async def test_another_users_path_is_404(
        self, client: httpx.AsyncClient, user: User, other_user: User
    ) -> None:
        await make_task(client, other_user)
        assert_not_found(await client.get(f"/api/{other_user.id}/tasks", headers=user.headers))
