"""Notes in the browser: the list's search and sort, and public links."""

import re

import httpx
import pytest
from playwright.async_api import expect

from tests.browser.helpers import Web, make_team

pytestmark = [pytest.mark.slow, pytest.mark.browser]


async def test_the_list_searches_and_sorts(web: Web) -> None:
    team = await make_team(web)
    for title, content in [
        ("Quarterly review", "Numbers for the board"),
        ("Café list", "Where to meet"),
        ("Accounts", "The quarter's accounts, in short"),
    ]:
        await team.ann_api.call(
            "POST", team.path("notes"), json={"title": title, "content": content}
        )
    page = team.ann.page
    await page.reload()
    cards = page.locator(".note-card a")
    # Last edited first, by default.
    await expect(cards).to_have_text(["Accounts", "Café list", "Quarterly review"])
    await page.get_by_label("Sort").select_option("title")
    await expect(cards).to_have_text(["Accounts", "Café list", "Quarterly review"])
    await page.get_by_label("Sort").select_option("-title")
    await expect(cards).to_have_text(["Quarterly review", "Café list", "Accounts"])
    assert "sort=-title" in page.url  # the address keeps the view

    await page.get_by_label("Search notes").fill("quart")
    await expect(page.get_by_text("2 notes match “quart”")).to_be_visible()
    await expect(cards).to_have_text(["Quarterly review", "Accounts"])
    await page.get_by_label("Search notes").fill("cafe")
    await expect(cards).to_have_text(["Café list"])
    await team.ann.check_axe("notes, searched")
    await page.get_by_label("Search notes").fill("")
    await expect(cards).to_have_count(3)
    await team.ann.shot("notes", docs=True)

    await page.get_by_role("button", name="New note").click()
    await expect(page.get_by_label("Title", exact=True)).to_have_value("Untitled note")
    await page.get_by_label("Title", exact=True).fill("Minutes")
    await expect(page.get_by_text("All changes saved")).to_be_visible()
    await page.get_by_role("link", name="← All notes").click()
    await expect(cards.first).to_have_text("Minutes")


async def test_a_public_link_is_made_read_and_revoked(web: Web) -> None:
    team = await make_team(web)
    note = await team.ann_api.call(
        "POST", team.path("notes"), json={"title": "Press release", "content": "# Big news"}
    )
    page = team.ann.page
    await team.ann.goto(team.app_path("notes", note["id"]))
    await page.get_by_role("button", name="Share").click()
    share = page.get_by_role("region", name="Public links")
    await expect(share.get_by_text("No public links.")).to_be_visible()
    await share.get_by_role("button", name="Create public link").click()
    address = await share.get_by_label("Public link").input_value()
    assert re.fullmatch(re.escape(web.url) + r"/p/[\w-]+", address), address
    await team.ann.check_axe("editor, share")

    reader = await web.person("reader")
    await reader.page.goto(address)
    await expect(reader.page).to_have_title("Press release")
    await expect(reader.page.get_by_role("heading", name="Big news")).to_be_visible()

    await share.get_by_role("button", name="Revoke").click()
    await expect(share.get_by_text("No public links.")).to_be_visible()
    async with httpx.AsyncClient() as http:
        assert (await http.get(address)).status_code == 404
    # The public page's own policy forbids every script; axe's is not the app's concern.
    web.people.remove(reader)
