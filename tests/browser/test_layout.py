"""The app at 360 px wide (a small phone): every screen fits without sideways
scrolling, and stays usable by keyboard."""

import pytest
from playwright.async_api import expect

from tests.browser.helpers import Person, Web, make_team

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PHONE = {"width": 360, "height": 740}
# What sticks out past the right edge, to name in a failure.
WIDER = """(limit) => [...document.querySelectorAll('body *')]
  .filter((element) => element.getBoundingClientRect().right > limit)
  .map((element) => `${element.tagName.toLowerCase()}.${element.className}`)
  .slice(0, 10)"""


async def assert_fits(person: Person, screen: str) -> None:
    width = await person.page.evaluate("document.documentElement.scrollWidth")
    sticking_out = await person.page.evaluate(WIDER, PHONE["width"])
    assert width <= PHONE["width"], f"{screen} is {width} px wide: {sticking_out}"
    await person.check_axe(f"{screen} at 360 px")


async def test_every_screen_fits_a_phone(web: Web) -> None:
    team = await make_team(web)
    phone = await web.person("phone", viewport=PHONE)
    await phone.goto("/")
    await assert_fits(phone, "sign in")
    await phone.page.get_by_label("Email").fill(team.ann.email)
    await phone.page.get_by_label("Password").fill("correct horse battery")
    await phone.page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(phone.page.get_by_role("heading", name="Notes", exact=True)).to_be_visible()

    note = await team.ann_api.call(
        "POST", team.path("notes"), json={"title": "A note with a rather long title to wrap"}
    )
    await team.ann_api.call("POST", team.path("tasks"), json={"title": "Call", "due_at": None})
    screens = {
        "notes": team.app_path("notes"),
        "editor": team.app_path("notes", note["id"]),
        "tasks": team.app_path("tasks"),
        "members": team.app_path("members"),
        "workspace": team.app_path("settings"),
    }
    for screen, path in screens.items():
        await phone.goto(path)
        await expect(phone.page.get_by_role("main")).not_to_contain_text("Loading")
        await assert_fits(phone, screen)
    await phone.page.get_by_role("button", name="New workspace").click()
    await assert_fits(phone, "new workspace")
    await phone.goto(screens["tasks"])
    await expect(phone.page.locator(".task-title")).to_have_text(["Call"])
    await phone.shot("phone-tasks", docs=True)

    # Tab from the top reaches the sections and the screen's controls in order.
    await phone.page.keyboard.press("Tab")
    await expect(phone.page.get_by_role("link", name="Skip to content")).to_be_focused()
    await phone.page.keyboard.press("Enter")
    await phone.page.keyboard.press("Tab")
    await expect(phone.page.get_by_label("New task")).to_be_focused()


async def test_the_dark_scheme_keeps_its_contrast(web: Web) -> None:
    team = await make_team(web)
    night = await web.person("night", color_scheme="dark")
    night.email = team.ann.email
    await night.goto(team.app_path("tasks"))
    await night.sign_in()
    await expect(night.page.get_by_role("heading", name="Tasks")).to_be_visible()
    await team.ann_api.call("POST", team.path("tasks"), json={"title": "Late", "completed": True})
    note = await team.ann_api.call(
        "POST", team.path("notes"), json={"title": "Dark", "content": "# Night\n\n[a link](/x)"}
    )
    await night.page.reload()
    await expect(night.page.locator(".task-title")).to_have_text(["Late"])
    await night.check_axe("tasks, dark")
    await night.goto(team.app_path("notes", note["id"]))
    await night.page.get_by_role("button", name="Preview").click()
    await expect(night.page.get_by_role("region", name="Preview")).to_contain_text("Night")
    await night.check_axe("editor, dark")
    await night.section("Notes")
    await expect(night.page.get_by_role("link", name="Dark")).to_be_visible()
    await night.check_axe("notes, dark")
