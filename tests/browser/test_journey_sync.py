"""The journey's steps that need API.md §8 to §10: live events, trash, revisions,
export and import.

Each test first asks the backend whether its routes exist, and is skipped, naming
the section, while they answer Starlette's own 404 (`"detail": "Not found"`, an
unknown route); once the backend has them, the tests run as they are.
"""

import asyncio
import json
import zipfile
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Request, Route, expect

from tests.browser.helpers import (
    Api,
    Person,
    Web,
    make_team,
    register,
    token_of,
    unique_email,
)
from tests.conftest import BACKENDS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# A route of each step group, with the section of API.md that brings it.
NEEDED = {
    "events": ("GET", "events", "§8 live events"),
    "changes": ("GET", "changes", "§8 change feed"),
    "trash": ("GET", "trash", "§9 trash"),
    "export": ("GET", "export", "§10 export"),
    "import": ("POST", "import", "§10 import"),
}


@pytest.fixture
async def routes(web_url: str) -> AsyncIterator[dict[str, bool]]:
    """Which of the routes the backend has, asked with a user of its own."""
    email = unique_email("probe")
    await register(web_url, email)
    api = Api(web_url, await token_of(web_url, email))
    try:
        personal = (await api.call("GET", "/workspaces"))["items"][0]["id"]
        found = {
            name: await api.route_exists(method, f"/workspaces/{personal}/{tail}")
            for name, (method, tail, _) in NEEDED.items()
        }
        note = await api.call("POST", f"/workspaces/{personal}/notes", json={"title": "probe"})
        found["revisions"] = await api.route_exists(
            "GET", f"/workspaces/{personal}/notes/{note['id']}/revisions"
        )
        yield found
    finally:
        await api.close()


def require(routes: dict[str, bool], *names: str) -> None:
    sections = {name: section for name, (_, _, section) in NEEDED.items()}
    sections["revisions"] = "§9 revisions"
    for name in names:
        if not routes[name]:
            pytest.skip(f"the backend has no {name} route yet (API.md {sections[name]})")


async def live(person: Person) -> None:
    await expect(person.page.locator(".live-state")).to_have_text("Live")


@pytest.mark.parametrize("web_database_url", BACKENDS, indirect=True)
async def test_another_persons_edit_appears_without_reload(
    web: Web, routes: dict[str, bool]
) -> None:
    require(routes, "events")
    team = await make_team(web)
    note = await team.ann_api.call(
        "POST", team.path("notes"), json={"title": "Agenda", "content": "1. Budget"}
    )
    for person in (team.ann, team.bob):
        await person.goto(team.app_path("notes", note["id"]))
        await live(person)
    await team.bob.page.get_by_label("Content (Markdown)").fill("1. Budget\n2. Hiring")
    await expect(team.bob.page.get_by_text("All changes saved")).to_be_visible()
    await expect(team.ann.page.get_by_label("Content (Markdown)")).to_have_value(
        "1. Budget\n2. Hiring"
    )
    await expect(team.ann.page.get_by_text("All changes saved")).to_be_visible()

    # Lists follow too: a task Bob adds shows up on Ann's task list.
    for person in (team.ann, team.bob):
        await person.section("Tasks")
    await live(team.ann)
    await team.bob.page.get_by_label("New task").fill("Send the agenda")
    await team.bob.page.get_by_role("button", name="Add task").click()
    await expect(team.ann.page.locator(".task-title")).to_have_text(["Send the agenda"])


async def test_a_dropped_stream_resumes_after_its_last_event(
    web: Web, routes: dict[str, bool]
) -> None:
    require(routes, "events", "changes")
    team = await make_team(web)
    await team.ann_api.call("POST", team.path("notes"), json={"title": "Before"})
    feed = await team.ann_api.call("GET", team.path("changes"))
    cursor = feed["cursor"]
    asked: list[dict[str, str]] = []
    resumed = asyncio.Event()

    # The first stream carries one event and ends, as a dropped connection would;
    # the app must come back asking for what followed that event.
    async def streams(route: Route, request: Request) -> None:
        asked.append(request.headers)
        if len(asked) > 1:
            resumed.set()
            await route.continue_()
            return
        last = json.dumps(feed["changes"][-1])
        body = f": hello\n\nid: {cursor}\nevent: change\ndata: {last}\n\n"
        await route.fulfill(status=200, content_type="text/event-stream", body=body)

    await team.ann.page.route("**/events", streams)
    await team.ann.page.reload()
    await expect(team.ann.page.get_by_role("heading", name="Notes", exact=True)).to_be_visible()
    # The app comes back by itself (after its first back-off of 1 s) and is live again
    # before the change it must hear of is made: else a refresh of the list, prompted
    # by the first stream's event, could show the note without any second stream.
    await asyncio.wait_for(resumed.wait(), 15)
    await live(team.ann)
    await team.bob_api.call("POST", team.path("notes"), json={"title": "Made while away"})
    await expect(team.ann.page.get_by_role("link", name="Made while away")).to_be_visible()
    assert "last-event-id" not in asked[0]
    assert asked[1]["last-event-id"] == cursor


async def test_trash_and_restore(web: Web, routes: dict[str, bool]) -> None:
    require(routes, "trash")
    team = await make_team(web)
    note = await team.ann_api.call("POST", team.path("notes"), json={"title": "Old plan"})
    await team.ann_api.call("POST", team.path("tasks"), json={"title": "Old task"})
    page = team.ann.page
    await team.ann.goto(team.app_path("notes", note["id"]))
    await page.get_by_role("button", name="Move to trash").click()
    await expect(page.get_by_text("“Old plan” moved to the trash.")).to_be_visible()
    await expect(page.get_by_text("No notes yet.")).to_be_visible()
    await team.ann.section("Tasks")
    await page.get_by_role("button", name="Delete “Old task”").click()
    await expect(page.get_by_text("No tasks here.")).to_be_visible()

    await team.ann.section("Trash")
    await expect(page.locator(".trash-item")).to_have_count(2)
    await team.ann.check_axe("trash")
    await team.ann.shot("trash", docs=True)
    await page.get_by_role("button", name="Restore “Old plan”").click()
    await expect(page.get_by_text("“Old plan” restored.")).to_be_visible()
    await page.get_by_role("button", name="Restore “Old task”").click()
    await expect(page.get_by_text("The trash is empty.")).to_be_visible()
    await team.ann.section("Notes")
    await expect(page.get_by_role("link", name="Old plan")).to_be_visible()
    restored = await team.ann_api.call("GET", team.path("notes", note["id"]))
    assert restored["version"] == note["version"] + 1


async def test_an_earlier_revision_is_restored(web: Web, routes: dict[str, bool]) -> None:
    require(routes, "revisions")
    team = await make_team(web)
    note = await team.ann_api.call(
        "POST", team.path("notes"), json={"title": "Policy", "content": "Ann's words"}
    )
    # Another author's version is a revision of its own, whatever the merge window.
    await team.bob_api.call(
        "PATCH",
        team.path("notes", note["id"]),
        json={"content": "Bob's words"},
        headers={"If-Match": '"1"'},
    )
    page = team.ann.page
    await team.ann.goto(team.app_path("notes", note["id"]))
    await page.get_by_role("button", name="History").click()
    history = page.get_by_role("region", name="History")
    await expect(history.get_by_role("button", name="Version 2 (current)")).to_be_visible()
    await history.get_by_role("button", name="Version 1", exact=True).click()
    await expect(history.get_by_text("Ann's words")).to_be_visible()
    await history.scroll_into_view_if_needed()
    await team.ann.check_axe("editor, history")
    await team.ann.shot("history", docs=True)
    await history.get_by_role("button", name="Restore version 1").click()
    await expect(page.get_by_label("Content (Markdown)")).to_have_value("Ann's words")
    await expect(page.get_by_text("Version 1 restored as version 3.")).to_be_visible()
    stored = await team.ann_api.call("GET", team.path("notes", note["id"]))
    assert (stored["content"], stored["version"]) == ("Ann's words", 3)


async def test_export_then_import(web: Web, routes: dict[str, bool]) -> None:
    require(routes, "export", "import")
    team = await make_team(web)
    await team.ann_api.call("POST", team.path("notes"), json={"title": "Recipe", "content": "Salt"})
    await team.ann_api.call("POST", team.path("tasks"), json={"title": "Shop"})
    page = team.ann.page
    await team.ann.section("Workspace")
    await team.ann.check_axe("workspace")
    await team.ann.shot("workspace", docs=True)
    async with page.expect_download() as started:
        await page.get_by_role("button", name="Export as zip").click()
    download = await started.value
    saved = await download.path()
    with zipfile.ZipFile(saved) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = archive.namelist()
    assert (manifest["notes"], manifest["tasks"]) == (1, 1)
    assert any(name.startswith("notes/") and name.endswith(".md") for name in names)

    await page.get_by_label("A zip", exact=False).set_input_files(saved)
    await page.get_by_role("button", name="Import", exact=True).click()
    await expect(page.get_by_text("Imported 1 notes and 1 tasks")).to_have_count(2)
    listed = await team.ann_api.call("GET", team.path("notes"))
    assert [note["title"] for note in listed["items"]] == ["Recipe", "Recipe"]
    # A file that is not a zip is refused with the API's reason, and nothing comes in.
    await page.get_by_label("A zip", exact=False).set_input_files(
        files=[{"name": "notes.zip", "mimeType": "application/zip", "buffer": b"not a zip"}]
    )
    await page.get_by_role("button", name="Import", exact=True).click()
    await expect(page.get_by_role("alert")).to_be_visible()
    assert (await team.ann_api.call("GET", team.path("notes")))["total"] == 2
