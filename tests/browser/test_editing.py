"""Two people edit one note at once: the second save is refused (412), and the app
asks which version to keep instead of overwriting the first."""

import pytest
from playwright.async_api import expect

from tests.browser.helpers import Person, Team, Web, make_team
from tests.conftest import BACKENDS

pytestmark = [pytest.mark.slow, pytest.mark.browser]


async def open_note(person: Person, team: Team, note_id: str) -> None:
    await person.goto(team.app_path("notes", note_id))
    await expect(person.page.get_by_label("Content (Markdown)")).to_be_visible()


async def type_and_save(person: Person, text: str) -> None:
    await person.page.get_by_label("Content (Markdown)").fill(text)
    await expect(person.page.get_by_role("status").filter(has_text="saved")).to_have_text(
        "All changes saved"
    )


@pytest.mark.parametrize("web_database_url", BACKENDS, indirect=True)
async def test_a_conflict_is_a_choice_never_an_overwrite(web: Web) -> None:
    team = await make_team(web)
    note = await team.ann_api.call(
        "POST", team.path("notes"), json={"title": "Plan", "content": "first draft"}
    )
    # Neither hears of the other's saves as they happen (a live one would update an
    # editor with no unsaved changes: tests/browser/test_journey_sync.py).
    for person in (team.ann, team.bob):
        await person.without_live_updates()
    await open_note(team.ann, team, note["id"])
    await open_note(team.bob, team, note["id"])

    await type_and_save(team.ann, "Ann's plan")
    # Bob's page still holds version 1: his save must not replace Ann's.
    await team.bob.page.get_by_label("Content (Markdown)").fill("Bob's plan")
    conflict = team.bob.page.get_by_role("alert").filter(has_text="changed while you were editing")
    await expect(conflict).to_be_visible()
    stored = await team.ann_api.call("GET", team.path("notes", note["id"]))
    assert (stored["content"], stored["version"]) == ("Ann's plan", 2)

    await conflict.get_by_role("button", name="See both").click()
    await expect(conflict.get_by_label("Your version (not saved)")).to_contain_text("Bob's plan")
    await expect(conflict.get_by_label("Their version (2)")).to_contain_text("Ann's plan")
    await team.bob.check_axe("editor, conflict")
    await team.bob.shot("conflict", docs=True)

    await conflict.get_by_role("button", name="Keep mine").click()
    await expect(conflict).to_have_count(0)
    await expect(team.bob.page.get_by_text("All changes saved")).to_be_visible()
    stored = await team.ann_api.call("GET", team.path("notes", note["id"]))
    assert (stored["content"], stored["version"]) == ("Bob's plan", 3)

    # Ann, still at version 2, types on: she is asked too, and takes Bob's.
    await team.ann.page.get_by_label("Title", exact=True).fill("Plan, by Ann")
    conflict = team.ann.page.get_by_role("alert").filter(has_text="changed while you were editing")
    await expect(conflict).to_be_visible()
    await conflict.get_by_role("button", name="Take theirs").click()
    await expect(team.ann.page.get_by_label("Content (Markdown)")).to_have_value("Bob's plan")
    await expect(team.ann.page.get_by_label("Title", exact=True)).to_have_value("Plan")
    await expect(team.ann.page.get_by_text("All changes saved")).to_be_visible()
    stored = await team.ann_api.call("GET", team.path("notes", note["id"]))
    assert (stored["title"], stored["content"], stored["version"]) == ("Plan", "Bob's plan", 3)


LAUNCH_PLAN = """# Launch plan

We ship on **Friday**, after the [demo](https://example.com/demo).

| Part | Who | When |
|---|---|---|
| Press release | Ann | Wednesday |
| Demo | Bob | Thursday |

1. Freeze the branch
2. Run the checks
3. Tell everyone
"""


async def test_the_preview_is_the_servers_rendering(web: Web) -> None:
    team = await make_team(web)
    note = await team.ann_api.call("POST", team.path("notes"), json={"title": "Launch plan"})
    await open_note(team.ann, team, note["id"])
    markdown = "# Heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>window.ran = 1</script>"
    await type_and_save(team.ann, markdown)
    await team.ann.page.get_by_role("button", name="Preview").click()
    preview = team.ann.page.get_by_role("region", name="Preview")
    await expect(preview.get_by_role("heading", name="Heading")).to_be_visible()
    await expect(preview.get_by_role("table")).to_be_visible()
    assert await team.ann.page.evaluate("window.ran === undefined")
    await type_and_save(team.ann, LAUNCH_PLAN)
    await expect(preview.get_by_role("heading", name="Launch plan")).to_be_visible()
    await team.ann.check_axe("editor, preview")
    await team.ann.shot("editor", docs=True)


async def test_a_viewer_reads_and_cannot_write(web: Web) -> None:
    team = await make_team(web, role="viewer")
    note = await team.ann_api.call("POST", team.path("notes"), json={"title": "Read me"})
    await open_note(team.bob, team, note["id"])
    content = team.bob.page.get_by_label("Content (Markdown)")
    await expect(content).not_to_be_editable()
    await expect(team.bob.page.get_by_role("button", name="Move to trash")).to_have_count(0)
    await team.bob.section("Notes")
    await expect(team.bob.page.get_by_role("link", name="Read me")).to_be_visible()
    await expect(team.bob.page.get_by_role("button", name="New note")).to_have_count(0)


async def test_trashing_a_note_changed_meanwhile_shows_it_first(web: Web) -> None:
    team = await make_team(web)
    note = await team.ann_api.call("POST", team.path("notes"), json={"title": "Draft"})
    await team.ann.without_live_updates()
    await open_note(team.ann, team, note["id"])
    await team.bob_api.call(
        "PATCH", team.path("notes", note["id"]), json={"content": "Bob's additions"}
    )
    await team.ann.page.get_by_role("button", name="Move to trash").click()
    await expect(team.ann.page.get_by_role("alert")).to_contain_text("This note changed meanwhile")
    await expect(team.ann.page.get_by_label("Content (Markdown)")).to_have_value("Bob's additions")
    stored = await team.ann_api.call("GET", team.path("notes", note["id"]))
    assert stored["version"] == 2
