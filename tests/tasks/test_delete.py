import httpx

from tests.factories import User, make_task
from tests.tasks.support import assert_not_found, tasks_url


class TestDeleteTask:
    async def test_deletes_it(self, client: httpx.AsyncClient, user: User, style: str) -> None:
        task = await make_task(client, user)
        url = f"{tasks_url(style, user)}/{task['id']}"
        response = await client.delete(url, headers=user.headers)
        assert response.status_code == 204
        assert response.content == b""
        assert_not_found(await client.get(url, headers=user.headers))
        assert_not_found(await client.delete(url, headers=user.headers))

    async def test_stale_if_match_is_412_and_keeps_it(
        self, client: httpx.AsyncClient, user: User
    ) -> None:
        task = await make_task(client, user)
        url = f"/tasks/{task['id']}"
        response = await client.delete(url, headers={**user.headers, "If-Match": '"2"'})
        assert response.status_code == 412
        assert response.json()["error_code"] == "precondition_failed"
        assert (await client.get(url, headers=user.headers)).json() == task

    async def test_current_if_match_deletes(self, client: httpx.AsyncClient, user: User) -> None:
        task = await make_task(client, user)
        url = f"/tasks/{task['id']}"
        response = await client.delete(url, headers={**user.headers, "If-Match": '"1"'})
        assert response.status_code == 204
