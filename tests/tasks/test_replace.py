import httpx
import pytest

from tests.factories import User, make_task
from tests.tasks.support import assert_validation_error, tasks_url


class TestReplaceTask:
    async def test_fields_left_out_take_their_creation_defaults(
        self, client: httpx.AsyncClient, user: User, style: str
    ) -> None:
        task = await make_task(
            client,
            user,
            description="d",
            completed=True,
            order=9,
            due_at="2030-01-01T00:00:00Z",
        )
        response = await client.put(
            f"{tasks_url(style, user)}/{task['id']}", json={"title": "New"}, headers=user.headers
        )
        assert response.status_code == 200
        replaced = response.json()
        assert replaced == {
            **task,
            "title": "New",
            "description": None,
            "completed": False,
            "completed_at": None,
            "order": 9,  # kept
            "due_at": None,
            "updated_at": replaced["updated_at"],
            "version": 2,
        }
        assert replaced["updated_at"] > task["updated_at"]
        assert response.headers["etag"] == '"2"'

    async def test_every_field(self, client: httpx.AsyncClient, user: User) -> None:
        task = await make_task(client, user)
        body = {
            "title": "New",
            "description": "D",
            "completed": True,
            "order": -3,
            "due_at": "2031-05-06T07:08:09-01:00",
        }
        response = await client.put(f"/tasks/{task['id']}", json=body, headers=user.headers)
        replaced = response.json()
        assert {key: replaced[key] for key in body} == {
            **body,
            "due_at": "2031-05-06T08:08:09.000000Z",
        }
        assert replaced["completed_at"] == replaced["updated_at"]

    async def test_the_same_content_changes_nothing(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        task = await make_task(client, user, title="Same", order=4)
        response = await client.put(
            f"/tasks/{task['id']}", json={"title": "  Same "}, headers=user.headers
        )
        assert response.status_code == 200
        assert response.json() == task
        assert response.headers["etag"] == '"1"'

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"description": "no title"}, "title"),
            ({"title": "T", "order": None}, "order"),
            ({"title": "T", "completed": None}, "completed"),
            ({"title": "T", "created_at": "2026-01-01T00:00:00Z"}, "created_at"),
        ],
    )
    async def test_invalid_body_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient, user: User, body: dict[str, object], field: str
    ) -> None:
        task = await make_task(client, user)
        response = await client.put(f"/tasks/{task['id']}", json=body, headers=user.headers)
        assert_validation_error(response, field)
        assert (await client.get(f"/tasks/{task['id']}", headers=user.headers)).json() == task

    async def test_stale_if_match_is_412_and_changes_nothing(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        task = await make_task(client, user)
        headers = {**user.headers, "If-Match": '"2"'}
        response = await client.put(f"/tasks/{task['id']}", json={"title": "X"}, headers=headers)
        assert response.status_code == 412
        assert response.json()["error_code"] == "precondition_failed"
        assert (await client.get(f"/tasks/{task['id']}", headers=user.headers)).json() == task

    async def test_current_if_match_applies(self, client: httpx.AsyncClient, user: User) -> None:
        task = await make_task(client, user)
        headers = {**user.headers, "If-Match": '"1"'}
        response = await client.put(f"/tasks/{task['id']}", json={"title": "X"}, headers=headers)
        assert response.status_code == 200
        assert response.json()["version"] == 2
