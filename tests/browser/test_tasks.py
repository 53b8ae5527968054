"""Tasks in the browser: add, tick off, date, filter, sort, and reorder by keyboard
and by dragging (a reorder is PATCH `order`)."""

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.helpers import Team, Web, holds, make_team

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def rows(page: Page) -> Locator:
    return page.locator(".task-list > li .task-title")


async def titles_by_order(team: Team) -> list[str]:
    page = await team.ann_api.call("GET", team.path("tasks"), params={"sort": "order"})
    return [task["title"] for task in page["items"]]


async def add(page: Page, title: str) -> None:
    await page.get_by_label("New task").fill(title)
    await page.get_by_role("button", name="Add task").click()
    await expect(page.get_by_text(f"Task “{title}” added.")).to_be_visible()


async def test_tasks_are_kept_and_put_in_order(web: Web) -> None:
    team = await make_team(web)
    page = team.ann.page
    await team.ann.section("Tasks")
    for title in ("Write the report", "Call the printer", "Book the room"):
        await add(page, title)
    await expect(rows(page)).to_have_text(["Write the report", "Call the printer", "Book the room"])

    # Done, and dated.
    await page.get_by_label("Call the printer", exact=True).check()
    await page.get_by_label("Due date of “Book the room”").fill("2030-01-15")
    await holds(lambda: due_dates(team), {"Book the room": "2030-01-15T00:00:00.000000Z"})
    stored = await team.ann_api.call("GET", team.path("tasks"), params={"status": "completed"})
    assert [task["title"] for task in stored["items"]] == ["Call the printer"]

    # From the keyboard: the handle's arrow keys move a task.
    handle = page.get_by_role("button", name="Move “Book the room”, position 3 of 3")
    await handle.focus()
    await page.keyboard.press("ArrowUp")
    await expect(page.get_by_text("Moved “Book the room” to position 2 of 3.")).to_be_visible()
    await page.keyboard.press("ArrowUp")
    await expect(page.get_by_text("Moved “Book the room” to position 1 of 3.")).to_be_visible()
    await expect(
        page.get_by_role("button", name="Move “Book the room”, position 1 of 3")
    ).to_be_focused()
    await holds(
        lambda: titles_by_order(team), ["Book the room", "Write the report", "Call the printer"]
    )

    # By dragging: the last one to the top.
    await page.get_by_role("button", name="Move “Call the printer”, position 3 of 3").drag_to(
        page.locator(".task-list > li").first
    )
    await expect(page.get_by_text("Moved “Call the printer” to position 1 of 3.")).to_be_visible()
    await holds(
        lambda: titles_by_order(team), ["Call the printer", "Book the room", "Write the report"]
    )
    await page.reload()
    await expect(rows(page)).to_have_text(["Call the printer", "Book the room", "Write the report"])
    await team.ann.check_axe("tasks")
    await team.ann.shot("tasks", docs=True)

    # Filter and sort: what is left to do, soonest due first (undated last).
    await page.get_by_label("To do").check()
    await expect(rows(page)).to_have_text(["Book the room", "Write the report"])
    await page.get_by_label("Sort").select_option("due_at")
    await expect(rows(page)).to_have_text(["Book the room", "Write the report"])
    await expect(page.get_by_text("Sort by “My order” to change the order")).to_be_visible()
    await expect(
        page.get_by_role("button", name="Move “Book the room”", exact=False)
    ).to_have_count(0)
    await page.get_by_label("Done", exact=True).check()
    await expect(rows(page)).to_have_text(["Call the printer"])
    await team.ann.check_axe("tasks, filtered")


async def due_dates(team: Team) -> dict[str, str]:
    page = await team.ann_api.call("GET", team.path("tasks"))
    return {task["title"]: task["due_at"] for task in page["items"] if task["due_at"]}


async def test_a_task_is_edited_and_deleted(web: Web) -> None:
    team = await make_team(web)
    await team.ann_api.call("POST", team.path("tasks"), json={"title": "Draft"})
    page = team.bob.page
    await team.bob.section("Tasks")
    await page.get_by_role("button", name="Edit “Draft”").click()
    await page.get_by_label("Title", exact=True).fill("Final")
    await page.get_by_label("Description").fill("With the numbers")
    await page.get_by_role("button", name="Save").click()
    await expect(rows(page)).to_have_text(["Final"])
    await expect(page.get_by_text("With the numbers")).to_be_visible()
    await page.get_by_role("button", name="Delete “Final”").click()
    await expect(page.get_by_text("“Final” moved to the trash.")).to_be_visible()
    await expect(page.get_by_text("No tasks here.")).to_be_visible()
    assert (await team.ann_api.call("GET", team.path("tasks")))["total"] == 0


async def test_a_task_changed_elsewhere_is_reread_not_overwritten(web: Web) -> None:
    team = await make_team(web)
    task = await team.ann_api.call("POST", team.path("tasks"), json={"title": "Order paper"})
    page = team.ann.page
    # Ann's tab does not hear of Bob's change (live, it would reread the list first).
    await team.ann.without_live_updates()
    await team.ann.goto(team.app_path("tasks"))
    await expect(rows(page)).to_have_text(["Order paper"])
    await team.bob_api.call(
        "PATCH", team.path("tasks", task["id"]), json={"title": "Order more paper"}
    )
    # Ann's page still shows version 1: her tick is refused, and she sees Bob's title.
    # A click, not check(): the box goes back as the refusal comes.
    await page.get_by_label("Order paper", exact=True).click()
    await expect(page.get_by_role("alert")).to_have_text(
        "This task changed elsewhere; the list is up to date again, try once more."
    )
    await expect(rows(page)).to_have_text(["Order more paper"])
    stored = await team.ann_api.call("GET", team.path("tasks", task["id"]))
    assert (stored["completed"], stored["version"]) == (False, 2)
