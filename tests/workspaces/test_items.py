"""Notes and tasks under `/workspaces/{workspace_id}` (API.md §7): the routes of §3 and
§4 with the same behaviour, in the path's workspace."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.workspaces.gate import personal_workspace_id
from tests.factories import User, token_user
from tests.workspaces.support import MISSING_ID, assert_error, join, make_team

KINDS = {
    "notes": ({"title": "Plan", "content": "Draft *one*"}, {"content": "Draft two"}),
    "tasks": ({"title": "Plan", "description": "Draft one"}, {"description": "Draft two"}),
}
NOT_FOUND = {"notes": "Note not found", "tasks": "Task not found"}


@pytest.fixture(params=list(KINDS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def create(
    client: httpx.AsyncClient, user: User, base: str, body: dict[str, Any], **headers: str
) -> httpx.Response:
    response = await client.post(base, json=body, headers={**user.headers, **headers})
    assert response.status_code == 201, response.text
    return response


class TestItemsInAWorkspace:
    async def test_create_read_list_update_delete(
        self, app: FastAPI, client: httpx.AsyncClient, owner: User, team: str, kind: str
    ) -> None:
        editor = await token_user(app)
        await join(app, team, editor, "editor")
        body, change = KINDS[kind]
        base = f"/workspaces/{team}/{kind}"
        created = await create(client, owner, base, body)
        item = created.json()
        path = f"{base}/{item['id']}"
        assert created.headers["Location"] == path
        assert created.headers["ETag"] == '"1"'
        assert (item["workspace_id"], item["created_by"], item["updated_by"]) == (
            team,
            owner.id,
            owner.id,
        )
        read = await client.get(path, headers=editor.headers)
        assert read.json() == item
        listed = await client.get(base, headers=editor.headers)
        assert [each["id"] for each in listed.json()["items"]] == [item["id"]]

        changed = await client.patch(path, json=change, headers=editor.headers)
        assert changed.status_code == 200, changed.text
        assert changed.json()["version"] == 2
        assert (changed.json()["created_by"], changed.json()["updated_by"]) == (owner.id, editor.id)
        # A write that changes nothing records no one.
        same = await client.patch(path, json=change, headers=owner.headers)
        assert same.json() == changed.json()

        assert (await client.delete(path, headers=editor.headers)).status_code == 204
        assert_error(
            await client.get(path, headers=owner.headers), 404, "not_found", NOT_FOUND[kind]
        )
        assert (await client.get(base, headers=owner.headers)).json()["total"] == 0

    async def test_search_is_per_workspace(
        self, client: httpx.AsyncClient, owner: User, team: str, kind: str
    ) -> None:
        body, _ = KINDS[kind]
        here = await create(client, owner, f"/workspaces/{team}/{kind}", body)
        await create(client, owner, f"/{kind}", body)
        found = await client.get(
            f"/workspaces/{team}/{kind}", params={"q": "draft"}, headers=owner.headers
        )
        assert [item["id"] for item in found.json()["items"]] == [here.json()["id"]]

    async def test_an_item_under_another_workspaces_path_is_404(
        self, client: httpx.AsyncClient, owner: User, team: str, kind: str
    ) -> None:
        body, change = KINDS[kind]
        other = (await make_team(client, owner, "Other"))["id"]
        item = (await create(client, owner, f"/workspaces/{team}/{kind}", body)).json()
        for workspace in (other, str(personal_workspace_id(owner.id))):
            path = f"/workspaces/{workspace}/{kind}/{item['id']}"
            for response in (
                await client.get(path, headers=owner.headers),
                await client.patch(path, json=change, headers=owner.headers),
                await client.delete(path, headers=owner.headers),
            ):
                assert_error(response, 404, "not_found", NOT_FOUND[kind])
        # Nor under the personal routes.
        missing = await client.get(f"/{kind}/{item['id']}", headers=owner.headers)
        assert_error(missing, 404, "not_found", NOT_FOUND[kind])
        assert (
            await client.get(f"/workspaces/{team}/{kind}/{item['id']}", headers=owner.headers)
        ).json()["version"] == 1

    async def test_the_personal_workspace_answers_under_its_id(
        self, client: httpx.AsyncClient, owner: User, kind: str
    ) -> None:
        body, _ = KINDS[kind]
        base = f"/workspaces/{personal_workspace_id(owner.id)}/{kind}"
        created = await create(client, owner, base, body)
        assert created.headers["Location"] == f"{base}/{created.json()['id']}"
        mine = await client.get(f"/{kind}/{created.json()['id']}", headers=owner.headers)
        assert mine.json() == created.json()

    async def test_idempotency_keys_are_per_workspace(
        self, client: httpx.AsyncClient, owner: User, team: str, kind: str
    ) -> None:
        body, _ = KINDS[kind]
        key = {"Idempotency-Key": "the-same-key"}
        first = await create(client, owner, f"/workspaces/{team}/{kind}", body, **key)
        second = await create(client, owner, f"/{kind}", body, **key)
        assert first.json()["id"] != second.json()["id"]
        again = await create(client, owner, f"/workspaces/{team}/{kind}", body, **key)
        assert again.json() == first.json()
        assert again.headers["Location"] == first.headers["Location"]
        listed = await client.get(f"/workspaces/{team}/{kind}", headers=owner.headers)
        assert listed.json()["total"] == 1


class TestNotesInAWorkspace:
    async def test_html_is_rendered_under_the_workspace(
        self, client: httpx.AsyncClient, owner: User, team: str
    ) -> None:
        body = {"title": "T", "content": "# Heading"}
        note = (await create(client, owner, f"/workspaces/{team}/notes", body)).json()
        html = await client.get(
            f"/workspaces/{team}/notes/{note['id']}/html", headers=owner.headers
        )
        assert html.status_code == 200
        assert html.headers["content-type"].startswith("text/html")
        assert "<h1>Heading</h1>" in html.text

    async def test_missing_is_404(self, client: httpx.AsyncClient, owner: User, team: str) -> None:
        response = await client.get(f"/workspaces/{team}/notes/{MISSING_ID}", headers=owner.headers)
        assert_error(response, 404, "not_found", "Note not found")


class TestTasksInAWorkspace:
    async def test_the_default_order_is_per_workspace(
        self, client: httpx.AsyncClient, owner: User, team: str
    ) -> None:
        base = f"/workspaces/{team}/tasks"
        orders = [
            (await create(client, owner, base, {"title": f"T{n}"})).json()["order"]
            for n in range(3)
        ]
        assert orders == [1, 2, 3]
        mine = await create(client, owner, "/tasks", {"title": "Mine"})
        assert mine.json()["order"] == 1

    async def test_complete_records_who(
        self, app: FastAPI, client: httpx.AsyncClient, owner: User, team: str
    ) -> None:
        editor = await token_user(app)
        await join(app, team, editor, "editor")
        task = (await create(client, owner, f"/workspaces/{team}/tasks", {"title": "Do"})).json()
        path = f"/workspaces/{team}/tasks/{task['id']}/complete"
        done = await client.patch(path, headers=editor.headers)
        assert done.status_code == 200, done.text
        assert (done.json()["completed"], done.json()["updated_by"]) == (True, editor.id)
        assert done.json()["completed_at"] is not None
        listed = await client.get(
            f"/workspaces/{team}/tasks", params={"status": "completed"}, headers=owner.headers
        )
        assert [item["id"] for item in listed.json()["items"]] == [task["id"]]
