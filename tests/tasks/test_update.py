import asyncio

import httpx
import pytest

from tests.factories import User, make_task
from tests.tasks.support import assert_validation_error, tasks_url


class TestUpdateTask:
    async def test_changes_only_the_fields_sent(
        self, client: httpx.AsyncClient, user: User, style: str
    ) -> None:
        task = await make_task(client, user, description="d", due_at="2030-01-01T00:00:00Z")
        response = await client.patch(
            f"{tasks_url(style, user)}/{task['id']}", json={"order": 12}, headers=user.headers
        )
        assert response.status_code == 200
        updated = response.json()
        assert updated == {**task, "order": 12, "updated_at": updated["updated_at"], "version": 2}
        assert updated["updated_at"] > task["updated_at"]
        assert response.headers["etag"] == '"2"'

    async def test_null_clears_description_and_due_at(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        task = await make_task(client, user, description="d", due_at="2030-01-01T00:00:00Z")
        response = await client.patch(
            f"/tasks/{task['id']}",
            json={"description": None, "due_at": None},
            headers=user.headers,
        )
        assert response.status_code == 200
        assert response.json()["description"] is None
        assert response.json()["due_at"] is None
        assert response.json()["version"] == 2

    @pytest.mark.parametrize("field", ["title", "completed", "order"])
    async def test_null_for_a_required_field_is_422(
        self, client: httpx.AsyncClient, user: User, field: str
    ) -> None:
        task = await make_task(client, user)
        response = await client.patch(
            f"/tasks/{task['id']}", json={field: None}, headers=user.headers
        )
        assert_validation_error(response, field)
        assert (await client.get(f"/tasks/{task['id']}", headers=user.headers)).json() == task

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"order": 2**31}, "order"),
            ({"due_at": "1899-01-01T00:00:00Z"}, "due_at"),
            ({"due_at": "2026-01-01T00:00:00"}, "due_at"),
            ({"description": "x" * 1001}, "description"),
            ({"title": "\x00"}, "title"),
            ({"updated_at": "2026-01-01T00:00:00Z"}, "updated_at"),
        ],
    )
    async def test_invalid_value_is_422(
        self, client: httpx.AsyncClient, user: User, body: dict[str, object], field: str
    ) -> None:
        task = await make_task(client, user)
        response = await client.patch(f"/tasks/{task['id']}", json=body, headers=user.headers)
        assert_validation_error(response, field)

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"title": " A task "},
            {"description": None, "due_at": None, "completed": False, "order": 1},
        ],
    )
    async def test_a_change_to_the_same_values_keeps_version_and_updated_at(
        self, client: httpx.AsyncClient, user: User, body: dict[str, object]
    ) -> None:
        task = await make_task(client, user)
        response = await client.patch(f"/tasks/{task['id']}", json=body, headers=user.headers)
        assert response.status_code == 200
        assert response.json() == task
        assert response.headers["etag"] == '"1"'

    async def test_the_same_instant_in_another_offset_changes_nothing(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        task = await make_task(client, user, due_at="2030-01-01T00:00:00Z")
        response = await client.patch(
            f"/tasks/{task['id']}",
            json={"due_at": "2030-01-01T02:00:00+02:00"},
            headers=user.headers,
        )
        assert response.json() == task

    async def test_completing_sets_completed_at_and_keeps_it(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        task = await make_task(client, user)
        url = f"/tasks/{task['id']}"
        done = (await client.patch(url, json={"completed": True}, headers=user.headers)).json()
        assert done["completed"] is True
        assert done["completed_at"] == done["updated_at"]
        # Already completed: another change leaves completed_at alone.
        again = await client.patch(
            url, json={"completed": True, "title": "B"}, headers=user.headers
        )
        assert again.json()["completed_at"] == done["completed_at"]
        assert again.json()["version"] == 3
        undone = await client.patch(url, json={"completed": False}, headers=user.headers)
        assert undone.json()["completed"] is False
        assert undone.json()["completed_at"] is None

    async def test_stale_if_match_is_412_and_changes_nothing(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        task = await make_task(client, user)
        url = f"/tasks/{task['id']}"
        await client.patch(url, json={"title": "v2"}, headers=user.headers)
        current = (await client.get(url, headers=user.headers)).json()
        for stale in ('"1"', 'W/"2"', '"abc"', '"99999999999999999999"'):
            headers = {**user.headers, "If-Match": stale}
            response = await client.patch(url, json={"title": "lost"}, headers=headers)
            assert response.status_code == 412, stale
            assert response.json()["error_code"] == "precondition_failed"
        assert (await client.get(url, headers=user.headers)).json() == current

    async def test_two_writers_with_the_same_if_match_one_wins(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        task = await make_task(client, user)
        headers = {**user.headers, "If-Match": '"1"'}
        responses = await asyncio.gather(
            *(
                client.patch(f"/tasks/{task['id']}", json={"title": f"W{i}"}, headers=headers)
                for i in range(2)
            )
        )
        assert sorted(response.status_code for response in responses) == [200, 412]
