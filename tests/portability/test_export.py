"""GET /export and /workspaces/{id}/export (API.md §10): what the zip holds, who may have it."""

import json
import re

import httpx
import yaml
from fastapi import FastAPI

from teamnotes.workspaces.gate import personal_workspace_id
from tests.factories import make_note, make_task, make_user, token_user
from tests.portability.support import add_member, export, make_workspace, unzipped

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


class TestExportContent:
    async def test_the_zip_holds_a_manifest_a_file_per_note_and_the_tasks(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        note = await make_note(client, user, title="Plans", content="# Plans\n\n- one\r\n- two")
        task = await make_task(client, user, title="Call", due_at="2031-05-06T07:08:09Z")
        done = await make_task(client, user, title="Done", completed=True)
        files = unzipped(await export(client, user, str(personal_workspace_id(user.id))))

        assert set(files) == {"manifest.json", "tasks.json", "notes/Plans.md"}
        manifest = json.loads(files["manifest.json"])
        assert manifest.pop("exported_at").endswith("Z")
        assert manifest == {
            "format": "teamnotes",
            "format_version": 1,
            "workspace": {"id": str(personal_workspace_id(user.id)), "name": "Personal"},
            "notes": 1,
            "tasks": 2,
        }
        text = files["notes/Plans.md"].decode()
        header = FRONT_MATTER.match(text)
        assert header is not None
        assert yaml.safe_load(header.group(1)) == {
            key: note[key] for key in ("id", "title", "created_at", "updated_at")
        }
        assert text[header.end() :] == note["content"]  # exactly, \r\n included
        assert json.loads(files["tasks.json"]) == [task, done]

    async def test_names_are_safe_everywhere_and_unique_whatever_the_case(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        for title in ('A/B: "c"?', 'a/b: "C"?', "CON", "Ends with a dot.", "Café\tau lait"):
            await make_note(client, user, title=title)
        files = unzipped(await export(client, user, str(personal_workspace_id(user.id))))
        assert sorted(name for name in files if name.startswith("notes/")) == [
            "notes/A_B_ _c__.md",
            "notes/Café au lait.md",
            "notes/Ends with a dot.md",
            "notes/_CON.md",
            "notes/a_b_ _C__ (2).md",
        ]

    async def test_trashed_items_are_left_out(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        kept = await make_note(client, user, title="Kept")
        gone = await make_note(client, user, title="Gone")
        task = await make_task(client, user, title="Gone too")
        assert (
            await client.delete(f"/notes/{gone['id']}", headers=user.headers)
        ).status_code == 204
        assert (
            await client.delete(f"/tasks/{task['id']}", headers=user.headers)
        ).status_code == 204
        files = unzipped(await export(client, user, str(personal_workspace_id(user.id))))
        assert [name for name in files if name.startswith("notes/")] == ["notes/Kept.md"]
        assert kept["id"] in files["notes/Kept.md"].decode()
        assert json.loads(files["tasks.json"]) == []
        assert json.loads(files["manifest.json"])["notes"] == 1

    async def test_more_than_a_page_of_notes_all_come(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        for number in range(230):
            await make_note(client, user, title=f"Note {number}", content=str(number))
        files = unzipped(await export(client, user, str(personal_workspace_id(user.id))))
        assert len([name for name in files if name.startswith("notes/")]) == 230
        assert files["notes/Note 229.md"].decode().endswith("\n---\n229")

    async def test_a_later_export_sees_later_writes(self, client: httpx.AsyncClient) -> None:
        user = await make_user(client)
        workspace = str(personal_workspace_id(user.id))
        await make_note(client, user, title="First")
        assert len(unzipped(await export(client, user, workspace))) == 3
        await make_note(client, user, title="Second")
        assert "notes/Second.md" in unzipped(await export(client, user, workspace))


class TestExportResponse:
    async def test_is_an_attachment_named_after_the_workspace(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        team = await make_workspace(client, user, name="Équipe / Nord")
        response = await client.get(f"/workspaces/{team}/export", headers=user.headers)
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="teamnotes-Equipe-Nord-')
        assert "filename*=UTF-8''%C3%89quipe%20_%20Nord%20" in disposition

    async def test_the_personal_path_exports_the_personal_workspace(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await make_user(client)
        await make_note(client, user, title="Mine")
        response = await client.get("/export", headers=user.headers)
        assert response.status_code == 200
        assert "notes/Mine.md" in unzipped(response.content)


class TestExportAccess:
    async def test_a_viewer_may_export(self, client: httpx.AsyncClient) -> None:
        owner, viewer = await make_user(client), await make_user(client)
        team = await make_workspace(client, owner)
        await add_member(client, team, owner, viewer, "viewer")
        made = await client.post(
            f"/workspaces/{team}/notes", json={"title": "Shared"}, headers=owner.headers
        )
        assert made.status_code == 201
        assert "notes/Shared.md" in unzipped(await export(client, viewer, team))

    async def test_a_workspace_one_is_not_a_member_of_is_404(
        self, client: httpx.AsyncClient, app: FastAPI
    ) -> None:
        owner, stranger = await make_user(client), await token_user(app)
        team = await make_workspace(client, owner)
        for workspace in (team, personal_workspace_id(owner.id)):
            response = await client.get(f"/workspaces/{workspace}/export", headers=stranger.headers)
            assert response.status_code == 404
            assert response.json()["detail"] == "Workspace not found"

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/export")).status_code == 401
