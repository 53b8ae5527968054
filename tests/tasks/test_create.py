import asyncio
from typing import Any

import httpx
import pytest

from teamnotes.workspaces.gate import personal_workspace_id
from tests.factories import User, make_task
from tests.tasks.support import assert_validation_error, tasks_url

INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)
# Without a token there is no caller: any user id in the path will do.
ANONYMOUS_URLS = {"token": "/tasks", "user-scoped": "/api/someone/tasks"}


class TestCreateTask:
    async def test_defaults(self, client: httpx.AsyncClient, user: User) -> None:
        response = await client.post("/tasks", json={"title": "Buy milk"}, headers=user.headers)
        assert response.status_code == 201
        task = response.json()
        assert task == {
            "id": task["id"],
            "workspace_id": str(personal_workspace_id(user.id)),
            "title": "Buy milk",
            "description": None,
            "completed": False,
            "order": 1,
            "due_at": None,
            "created_at": task["created_at"],
            "updated_at": task["created_at"],
            "completed_at": None,
            "created_by": user.id,
            "updated_by": user.id,
            "version": 1,
        }
        assert response.headers["etag"] == '"1"'
        assert response.headers["location"] == f"/tasks/{task['id']}"
        assert task["created_at"].endswith("Z")
        assert len(task["created_at"]) == len("2026-11-23T00:48:08.000000Z")

    async def test_every_field(self, client: httpx.AsyncClient, user: User) -> None:
        body = {
            "title": "  Plan the trip  ",
            "description": "  keep\nthe spaces  ",
            "completed": True,
            "order": -7,
            "due_at": "2026-12-24T18:30:00.5+02:00",
        }
        task = await make_task(client, user, **body)
        assert task["title"] == "Plan the trip"
        assert task["description"] == "  keep\nthe spaces  "
        assert task["completed"] is True
        assert task["completed_at"] == task["created_at"]
        assert task["order"] == -7
        assert task["due_at"] == "2026-12-24T16:30:00.500000Z"

    async def test_location_keeps_the_path_style(
        self, client: httpx.AsyncClient, user: User, style: str
    ) -> None:
        url = tasks_url(style, user)
        response = await client.post(url, json={"title": "T"}, headers=user.headers)
        assert response.status_code == 201
        location = response.headers["location"]
        assert location == f"{url}/{response.json()['id']}"
        assert (await client.get(location, headers=user.headers)).json() == response.json()

    async def test_order_defaults_to_one_more_than_the_largest(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        assert (await make_task(client, user))["order"] == 1
        await make_task(client, user, order=41)
        await make_task(client, user, order=-5)
        assert (await make_task(client, user))["order"] == 42

    async def test_order_default_counts_only_the_callers_tasks(
        self, client: httpx.AsyncClient, user: User, other_user: User
    ) -> None:
        await make_task(client, other_user, order=1000)
        assert (await make_task(client, user))["order"] == 1

    async def test_order_default_stays_a_32_bit_integer(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        last = await make_task(client, user, order=INT32_MAX)
        new = await make_task(client, user)
        assert new["order"] == INT32_MAX
        listed = await client.get("/tasks", headers=user.headers)
        assert [task["id"] for task in listed.json()["items"]] == [last["id"], new["id"]]

    async def test_concurrent_creates_get_distinct_increasing_orders(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        responses = await asyncio.gather(
            *(
                client.post("/tasks", json={"title": f"T{i}"}, headers=user.headers)
                for i in range(20)
            )
        )
        assert [response.status_code for response in responses] == [201] * 20
        tasks = sorted((response.json() for response in responses), key=lambda t: t["order"])
        assert [task["order"] for task in tasks] == list(range(1, 21))
        # Handed out in the order the tasks were created.
        assert [task["created_at"] for task in tasks] == sorted(t["created_at"] for t in tasks)
        assert [task["id"] for task in tasks] == sorted(task["id"] for task in tasks)

    @pytest.mark.parametrize("order", [INT32_MIN, INT32_MAX, 0, 3.0])
    async def test_order_takes_any_32_bit_integer(
        self, client: httpx.AsyncClient, user: User, order: int
    ) -> None:
        assert (await make_task(client, user, order=order))["order"] == order

    @pytest.mark.parametrize(
        "due_at",
        ["1900-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "1900-01-01T01:00:00+01:00"],
    )
    async def test_due_at_takes_years_1900_to_9999(
        self, client: httpx.AsyncClient, user: User, due_at: str
    ) -> None:
        task = await make_task(client, user, due_at=due_at)
        assert task["due_at"][:4] in ("1900", "9999")

    async def test_the_longest_title_and_description(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        # Lengths count code points, not bytes.
        task = await make_task(client, user, title="é" * 200, description="😀" * 1000)
        assert task["title"] == "é" * 200
        assert task["description"] == "😀" * 1000

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"title": "T", "order": INT32_MAX + 1}, "order"),
            ({"title": "T", "order": INT32_MIN - 1}, "order"),
            ({"title": "T", "order": 10**30}, "order"),
            ({"title": "T", "order": 1.5}, "order"),
            ({"title": "T", "order": "3"}, "order"),
            ({"title": "T", "order": None}, "order"),
            ({"title": "T", "due_at": "1899-12-31T23:59:59Z"}, "due_at"),
            ({"title": "T", "due_at": "10000-01-01T00:00:00Z"}, "due_at"),
            ({"title": "T", "due_at": "1900-01-01T00:30:00+01:00"}, "due_at"),
            ({"title": "T", "due_at": "9999-12-31T23:00:00-05:00"}, "due_at"),
            ({"title": "T", "due_at": "0001-01-01T00:00:00+01:00"}, "due_at"),
            ({"title": "T", "due_at": "2026-01-01T00:00:00"}, "due_at"),
            ({"title": "T", "due_at": "tomorrow"}, "due_at"),
            ({"title": "T", "due_at": 1_800_000_000}, "due_at"),
            ({"title": "T", "due_at": "2026-01-01"}, "due_at"),
            ({"title": "T", "description": "x" * 1001}, "description"),
            ({"title": "T", "description": "a\x00b"}, "description"),
            ({"title": "a\x00b"}, "title"),
            ({"title": "   "}, "title"),
            ({"title": ""}, "title"),
            ({"title": "x" * 201}, "title"),
            ({"title": None}, "title"),
            ({}, "title"),
            ({"title": "T", "completed": "yes"}, "completed"),
            ({"title": "T", "completed": 1}, "completed"),
            ({"title": "T", "completed": None}, "completed"),
            ({"title": "T", "owner_id": "someone-else"}, "owner_id"),
            ({"title": "T", "version": 7}, "version"),
            ({"title": "T", "id": "01a20000-0000-7000-8000-000000000000"}, "id"),
        ],
    )
    async def test_invalid_body_is_422(
        self, client: httpx.AsyncClient, user: User, body: dict[str, Any], field: str
    ) -> None:
        response = await client.post("/tasks", json=body, headers=user.headers)
        assert_validation_error(response, field)
        listed = await client.get("/tasks", headers=user.headers)
        assert listed.json()["total"] == 0

    @pytest.mark.parametrize("content", [b"[]", b"null", b'"title"'])
    async def test_a_body_that_is_not_an_object_is_422(
        self, client: httpx.AsyncClient, user: User, content: bytes
    ) -> None:
        headers = {**user.headers, "Content-Type": "application/json"}
        response = await client.post("/tasks", content=content, headers=headers)
        assert_validation_error(response, None)

    async def test_invalid_json_is_400(self, client: httpx.AsyncClient, user: User) -> None:
        headers = {**user.headers, "Content-Type": "application/json"}
        response = await client.post("/tasks", content=b'{"title": ', headers=headers)
        assert response.status_code == 400
        assert response.json()["error_code"] == "invalid_json"

    async def test_a_form_body_is_415(self, client: httpx.AsyncClient, user: User) -> None:
        response = await client.post("/tasks", data={"title": "T"}, headers=user.headers)
        assert response.status_code == 415
        assert response.json()["error_code"] == "unsupported_media_type"

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient, style: str) -> None:
        response = await client.post(ANONYMOUS_URLS[style], json={"title": "T"})
        assert response.status_code == 401
        assert response.json()["error_code"] == "not_authenticated"
        assert response.headers["www-authenticate"] == "Bearer"
