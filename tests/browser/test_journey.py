"""Two people make a team in the browser: sign up, create a workspace, invite,
accept, and see each other there; axe on every screen on the way."""

import re

import pytest
from playwright.async_api import expect

from tests.browser.helpers import Web
from tests.conftest import BACKENDS

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.mark.parametrize("web_database_url", BACKENDS, indirect=True)
async def test_two_people_form_a_team(web: Web) -> None:
    ann = await web.person("ann")
    await ann.goto("/")
    await ann.check_axe("sign in")
    await ann.shot("sign-in", docs=True)
    await ann.page.get_by_role("tab", name="Create account").click()
    await ann.check_axe("create account")
    await ann.create_account("Ann Example")
    await expect(ann.page.get_by_text("No notes yet.")).to_be_visible()
    await ann.check_axe("notes, empty")

    # A team workspace, from the switcher.
    await ann.page.get_by_role("button", name="New workspace").click()
    await ann.check_axe("new workspace")
    await ann.page.get_by_label("Name of the new workspace").fill("Acme")
    await ann.page.get_by_role("button", name="Create workspace").click()
    await expect(ann.page.get_by_label("Workspace", exact=True)).to_have_text(re.compile("Acme"))
    await expect(ann.page.get_by_text("Workspace “Acme” created.")).to_be_visible()

    # An invitation for Bob, as an editor: a link to pass on.
    await ann.section("Members")
    bob = await web.person("bob")
    await ann.page.get_by_label("Their email", exact=False).fill(bob.email)
    await ann.page.get_by_label("Role", exact=True).select_option("editor")
    await ann.page.get_by_role("button", name="Create invitation").click()
    link = await ann.page.get_by_label(re.compile("^Invitation link")).input_value()
    assert re.fullmatch(re.escape(web.url) + r"/invite#token=[\w-]{22,}", link), link
    await expect(ann.page.get_by_text(f"{bob.email} as editor")).to_be_visible()
    await ann.check_axe("members, invitation made")
    await ann.shot("members", docs=True)

    # Bob opens it, has no account yet, makes one, and joins.
    await bob.page.goto(link)
    await expect(bob.page.get_by_text("Sign in or create an account to accept")).to_be_visible()
    assert "#" not in bob.page.url  # the token left the address bar at once
    await bob.page.get_by_role("tab", name="Create account").click()
    await bob.page.get_by_label("Your name (optional)").fill("Bob Example")
    await bob.page.get_by_label("Email").fill(bob.email)
    await bob.page.get_by_label("Password").fill("correct horse battery")
    await bob.page.get_by_role("button", name="Create account").click()
    await expect(bob.page.get_by_role("heading", name="Join a workspace")).to_be_visible()
    await bob.check_axe("invitation")
    await bob.page.get_by_role("button", name="Accept the invitation").click()
    await expect(bob.page.get_by_text("You joined “Acme” as editor.")).to_be_visible()
    await expect(bob.page.get_by_role("heading", name="Notes", exact=True)).to_be_visible()

    # Ann sees Bob among the members, and the invitation used up.
    await ann.page.reload()
    members = ann.page.get_by_role("table")
    await expect(members.get_by_role("row", name=re.compile("Bob Example"))).to_be_visible()
    await expect(ann.page.get_by_text(f"{bob.email} as editor")).to_have_count(0)
    # An owner may make him a viewer.
    await ann.page.get_by_label(f"Role of {bob.email}").select_option("viewer")
    await expect(ann.page.get_by_text(f"{bob.email} is now viewer.")).to_be_visible()

    # The used link does not work twice.
    await bob.page.goto(link)
    await bob.page.get_by_role("button", name="Accept the invitation").click()
    await expect(bob.page.get_by_role("alert")).to_have_text("Invitation not found")
