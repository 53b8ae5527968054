"""POST /workspaces/{id}/import (API.md §10) with zips other tools make: Obsidian, Joplin,
Notion — titles, content and times as documented, and what is skipped."""

import io
import zipfile
from datetime import UTC, datetime

import httpx

from teamnotes.workspaces.gate import personal_workspace_id
from tests.factories import make_user
from tests.portability.support import ZIP, listed, make_workspace, send_import, zipped


def vault() -> bytes:
    """An Obsidian-like vault: nested folders, front matter of several kinds, the
    app's own hidden folder, an attachment, and what macOS's Finder adds."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def add(
            name: str,
            data: str | bytes,
            when: tuple[int, int, int, int, int, int] = (2021, 3, 4, 5, 6, 8),
        ) -> None:
            archive.writestr(zipfile.ZipInfo(name, date_time=when), data)

        add("Vault/", b"")
        add("Vault/Projects/", b"")
        add(
            "Vault/Projects/Launch.md",
            "---\ntitle: The launch\ncreated: 2020-01-02\nupdated: 2020-02-03T10:00:00+01:00\n"
            "---\n# Launch\n\nSteps.\n",
        )
        add(
            "Vault/Projects/Tagged.md",
            "---\ntags: [work, q3]\ncreated: 2022-05-06 07:08:09\n---\n# Tagged note\nBody",
        )
        add("Vault/Daily/2023-01-01.md", "No heading here.\n\n```\n# not a heading\n```\n")
        add("Vault/Heading.md", "\ufeffIntro\n\n#   Real heading  ##\n", when=(1980, 1, 1, 0, 0, 0))
        add("Vault/Bad date.md", "---\ncreated: yesterday\n---\ntext", when=(2019, 9, 9, 9, 9, 10))
        add("Vault/attachments/diagram.png", b"\x89PNG\r\n\x1a\n\x00\xff")
        add("Vault/.obsidian/app.json", "{}")
        add("Vault/.trash/Deleted.md", "old")
        add("__MACOSX/Vault/._Heading.md", b"\x00\x05\x16\x07\xff")
    return buffer.getvalue()


class TestImportVault:
    async def test_every_markdown_file_is_a_note_titled_as_documented(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        team = await make_workspace(client, user)
        before = datetime.now(UTC)
        response = await send_import(client, user, team, vault())
        assert response.status_code == 200, response.text
        assert response.json() == {"notes": 5, "tasks": 0, "skipped": 4}

        notes = {note["title"]: note for note in await listed(client, user, team, "notes")}
        assert set(notes) == {"The launch", "Tagged note", "2023-01-01", "Real heading", "Bad date"}
        launch = notes["The launch"]
        assert launch["content"] == "# Launch\n\nSteps.\n"  # the front matter is read, not kept
        assert launch["created_at"] == "2020-01-02T00:00:00.000000Z"
        assert launch["updated_at"] == "2020-02-03T09:00:00.000000Z"
        # Keys Team Notes has no field for stay in the content, where nothing is lost.
        tagged = notes["Tagged note"]
        assert tagged["content"].startswith("---\ntags: [work, q3]\n")
        # Changed (by the entry's time, 2021) before it was made: not before it was made.
        assert tagged["created_at"] == tagged["updated_at"] == "2022-05-06T07:08:09.000000Z"
        assert notes["Real heading"]["content"] == "Intro\n\n#   Real heading  ##\n"  # no BOM
        # Neither the front matter nor the zip knows when: now.
        assert notes["Real heading"]["created_at"] >= before.strftime("%Y-%m-%dT%H:%M:%S")
        bad_date = notes["Bad date"]
        assert bad_date["created_at"] == bad_date["updated_at"] == "2019-09-09T09:09:10.000000Z"
        assert bad_date["content"] == "text"

    async def test_a_front_matter_that_is_not_yaml_is_content(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        text = "---\n: [unclosed\n---\n# Title\n"
        team = await make_workspace(client, user)
        response = await send_import(client, user, team, zipped({"x.md": text}))
        assert response.status_code == 200, response.text
        [note] = await listed(client, user, team, "notes")
        assert (note["title"], note["content"]) == ("Title", text)

    async def test_the_personal_path_imports_into_the_personal_workspace(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        response = await client.post(
            "/import", content=zipped({"Mine.md": "mine"}), headers={**user.headers, **ZIP}
        )
        assert response.status_code == 200, response.text
        personal = str(personal_workspace_id(user.id))
        assert [note["title"] for note in await listed(client, user, personal, "notes")] == ["Mine"]


class TestImportExportFormat:
    async def test_an_export_in_a_folder_of_its_own_is_recognised(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        team = await make_workspace(client, user)
        manifest = '{"format": "teamnotes", "format_version": 1}'
        tasks = '[{"title": "From the export", "order": 5}]'
        files = {"export/manifest.json": manifest, "export/tasks.json": tasks, "export/n.md": "n"}
        response = await send_import(client, user, team, zipped(files))
        assert response.json() == {"notes": 1, "tasks": 1, "skipped": 0}
        [task] = await listed(client, user, team, "tasks")
        assert (task["title"], task["order"], task["completed_at"]) == ("From the export", 5, None)

    async def test_tasks_json_outside_an_export_is_skipped(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        team = await make_workspace(client, user)
        files = {"manifest.json": '{"name": "some app"}', "tasks.json": "[]", "a.md": "a"}
        response = await send_import(client, user, team, zipped(files))
        assert response.json() == {"notes": 1, "tasks": 0, "skipped": 2}

    async def test_a_task_without_times_or_order_is_made_now_and_goes_last(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        team = await make_workspace(client, user)
        made = await client.post(
            f"/workspaces/{team}/tasks",
            json={"title": "Existing", "order": 41},
            headers=user.headers,
        )
        assert made.status_code == 201
        files = {
            "manifest.json": '{"format": "teamnotes", "format_version": 1}',
            "tasks.json": '[{"title": "Plain", "completed": true}]',
        }
        assert (await send_import(client, user, team, zipped(files))).status_code == 200
        tasks = {task["title"]: task for task in await listed(client, user, team, "tasks")}
        plain = tasks["Plain"]
        assert plain["order"] == 42
        assert plain["completed_at"] == plain["updated_at"] == plain["created_at"]

    async def test_a_later_format_version_is_refused(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        team = await make_workspace(client, user)
        files = {"manifest.json": '{"format": "teamnotes", "format_version": 2}', "a.md": "a"}
        response = await send_import(client, user, team, zipped(files))
        assert response.status_code == 422
        assert response.json()["field"] == "body"
        assert "manifest.json" in response.json()["detail"]
        assert await listed(client, user, team, "notes") == []
