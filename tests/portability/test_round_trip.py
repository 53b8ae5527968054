"""An export imported into another workspace gives the same notes and tasks, field by field."""

from typing import Any

import httpx

from tests.factories import make_user
from tests.portability.support import export, listed, make_workspace, send_import

NOTES = [
    {"title": "Plain", "content": "Some *Markdown*"},
    {"title": "Empty", "content": ""},
    {"title": "Front matter inside", "content": "---\ntitle: not this\n---\nbody"},
    {"title": "Line endings", "content": "one\r\ntwo\rthree\n\n"},
    {"title": "Unicode: 日本語 🎉", "content": "É" * 100_000},
    {"title": "Quotes ' \" and: colons", "content": "# A heading\n\ntext"},
    {"title": "same name", "content": "first"},
    {"title": "Same Name", "content": "second"},
]
TASKS = [
    {"title": "Open", "description": "with a description", "order": 7},
    {"title": "Due", "due_at": "2031-02-03T04:05:06.789012Z", "order": -3},
    {"title": "Done", "completed": True, "order": 2147483647},
]
NOTE_FIELDS = ("title", "content", "created_at", "updated_at")
TASK_FIELDS = (
    "title",
    "description",
    "completed",
    "order",
    "due_at",
    "created_at",
    "updated_at",
    "completed_at",
)


def fields(items: list[dict[str, Any]], names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{name: item[name] for name in names} for item in items]


class TestRoundTrip:
    async def test_every_field_comes_back_under_new_ids(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        source, target = await make_workspace(client, user), await make_workspace(client, user)
        for note in NOTES:
            made = await client.post(f"/workspaces/{source}/notes", json=note, headers=user.headers)
            assert made.status_code == 201, made.text
        for task in TASKS:
            made = await client.post(f"/workspaces/{source}/tasks", json=task, headers=user.headers)
            assert made.status_code == 201, made.text
        # An edited note keeps its two times apart.
        edited = (await listed(client, user, source, "notes"))[0]
        patched = await client.patch(
            f"/workspaces/{source}/notes/{edited['id']}",
            json={"content": "changed"},
            headers=user.headers,
        )
        assert patched.status_code == 200

        imported = await send_import(client, user, target, await export(client, user, source))
        assert imported.status_code == 200, imported.text
        assert imported.json() == {"notes": len(NOTES), "tasks": len(TASKS), "skipped": 0}

        before_notes = await listed(client, user, source, "notes")
        after_notes = await listed(client, user, target, "notes")
        assert fields(after_notes, NOTE_FIELDS) == fields(before_notes, NOTE_FIELDS)
        before_tasks = await listed(client, user, source, "tasks")
        after_tasks = await listed(client, user, target, "tasks")
        assert fields(after_tasks, TASK_FIELDS) == fields(before_tasks, TASK_FIELDS)
        for item in after_notes + after_tasks:
            assert item["workspace_id"] == target
            assert item["version"] == 1
            assert item["created_by"] == user.id
        old_ids = {item["id"] for item in before_notes + before_tasks}
        assert not old_ids & {item["id"] for item in after_notes + after_tasks}

    async def test_imported_notes_are_found_by_search(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        source, target = await make_workspace(client, user), await make_workspace(client, user)
        made = await client.post(
            f"/workspaces/{source}/notes",
            json={"title": "Quarterly café", "content": "numbers"},
            headers=user.headers,
        )
        assert made.status_code == 201
        imported = await send_import(client, user, target, await export(client, user, source))
        assert imported.status_code == 200
        found = await client.get(
            f"/workspaces/{target}/notes", params={"q": "quart cafe"}, headers=user.headers
        )
        assert [note["title"] for note in found.json()["items"]] == ["Quarterly café"]
