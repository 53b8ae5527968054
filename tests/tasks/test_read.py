import httpx
import pytest

from tests.factories import User, make_task
from tests.tasks.support import MISSING_ID, assert_not_found, tasks_url


class TestReadTask:
    async def test_answers_the_task_with_its_etag(
        self, client: httpx.AsyncClient, user: User, style: str
    ) -> None:
        task = await make_task(client, user, description="d", due_at="2030-01-01T00:00:00Z")
        response = await client.get(f"{tasks_url(style, user)}/{task['id']}", headers=user.headers)
        assert response.status_code == 200
        assert response.json() == task
        assert response.headers["etag"] == '"1"'
        assert response.headers["cache-control"] == "no-store"

    async def test_if_none_match_of_the_current_version_is_304(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        task = await make_task(client, user)
        headers = {**user.headers, "If-None-Match": '"1"'}
        response = await client.get(f"/tasks/{task['id']}", headers=headers)
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == '"1"'

    async def test_if_none_match_of_an_old_version_is_200(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        task = await make_task(client, user)
        await client.patch(f"/tasks/{task['id']}", json={"title": "New"}, headers=user.headers)
        headers = {**user.headers, "If-None-Match": '"1"'}
        response = await client.get(f"/tasks/{task['id']}", headers=headers)
        assert response.status_code == 200
        assert response.headers["etag"] == '"2"'
        assert response.json()["title"] == "New"

    @pytest.mark.parametrize(
        "task_id", [MISSING_ID, "not-a-uuid", MISSING_ID.upper(), "1" * 36, "%00"]
    )
    async def test_unknown_or_malformed_id_is_404(
        self, client: httpx.AsyncClient, user: User, task_id: str
    ) -> None:
        assert_not_found(await client.get(f"/tasks/{task_id}", headers=user.headers))
