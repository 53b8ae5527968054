"""Sessions in the browser: tokens kept where the README says, renewed when they
expire, ended when the API says so, and shared by the tabs of one login."""

import httpx
import pytest
from playwright.async_api import Route, expect

from tests.browser.helpers import Web

pytestmark = [pytest.mark.slow, pytest.mark.browser]


async def test_a_reload_keeps_the_session_and_a_new_tab_does_not(web: Web) -> None:
    ann = await web.person("ann")
    await ann.sign_up()
    await ann.page.reload()
    await expect(ann.page.get_by_role("heading", name="Notes", exact=True)).to_be_visible()
    # The refresh token is this tab's (sessionStorage); the access token is nowhere.
    stored = await ann.page.evaluate("Object.keys(sessionStorage)")
    assert "teamnotes.refresh_token" in stored
    assert await ann.page.evaluate("Object.keys(localStorage)") == []
    other = await ann.context.new_page()
    await other.goto(web.url + "/")
    await expect(other.get_by_role("button", name="Sign in", exact=True)).to_be_visible()


async def test_an_expired_access_token_is_renewed_and_the_request_retried(web: Web) -> None:
    ann = await web.person("ann")
    await ann.sign_up()
    refused: list[str] = []
    bearers: list[str] = []

    # The API says the first token expired, once: the app must refresh and retry.
    async def expire_once(route: Route) -> None:
        bearer = route.request.headers.get("authorization", "")
        bearers.append(bearer)
        if not refused:
            refused.append(bearer)
            await route.fulfill(
                status=401,
                headers={"WWW-Authenticate": "Bearer"},
                json={
                    "detail": "Invalid or expired token",
                    "error_code": "invalid_token",
                    "field": None,
                    "request_id": "test",
                },
            )
            return
        await route.continue_()

    await ann.page.route("**/workspaces/*/tasks*", expire_once)
    async with ann.page.expect_response("**/auth/refresh") as refreshed:
        await ann.section("Tasks")
    assert (await refreshed.value).status == 200
    await expect(ann.page.get_by_text("No tasks here.")).to_be_visible()
    assert len(bearers) == 2
    assert bearers[1] != refused[0]


async def test_a_session_the_api_ended_goes_back_to_sign_in(web: Web) -> None:
    ann = await web.person("ann")
    await ann.sign_up()
    # Signed out elsewhere (its refresh token revoked), and the access token expired.
    refresh_token = await ann.page.evaluate(REFRESH_TOKEN)
    async with httpx.AsyncClient(base_url=web.url) as http:
        assert (
            await http.post("/auth/logout", json={"refresh_token": refresh_token})
        ).status_code == 204
    await ann.page.route(
        "**/workspaces/*/tasks*",
        lambda route: route.fulfill(
            status=401, json={"detail": "Invalid or expired token", "error_code": "invalid_token"}
        ),
    )
    await ann.section("Tasks")
    await expect(ann.page.get_by_text("Your session has ended. Sign in again.")).to_be_visible()
    await expect(ann.page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    assert await ann.page.evaluate("Object.keys(sessionStorage)") == []


REFRESH_TOKEN = "sessionStorage.getItem('teamnotes.refresh_token')"


async def test_two_tabs_of_one_login_pass_rotated_tokens_on(web: Web) -> None:
    ann = await web.person("ann")
    await ann.sign_up()
    first = await ann.page.evaluate(REFRESH_TOKEN)
    # A tab opened from this one starts with a copy of its sessionStorage, and
    # refreshes (rotates) that token as it starts.
    async with ann.page.expect_popup() as opened:
        await ann.page.evaluate("window.open(location.href)")
    other = await opened.value
    await expect(other.get_by_role("heading", name="Notes", exact=True)).to_be_visible()
    rotated = await other.evaluate(REFRESH_TOKEN)
    assert rotated != first
    # The first tab was told, so neither ever presents a token already rotated.
    await ann.page.wait_for_function(f"{REFRESH_TOKEN} === {rotated!r}")
    await ann.page.reload()
    await expect(ann.page.get_by_role("heading", name="Notes", exact=True)).to_be_visible()
    again = await ann.page.evaluate(REFRESH_TOKEN)
    assert again not in (first, rotated)
    await other.wait_for_function(f"{REFRESH_TOKEN} === {again!r}")


async def test_signing_up_takes_only_the_keyboard(web: Web) -> None:
    ann = await web.person("ann")
    await ann.goto("/")
    keys = ann.page.keyboard
    await expect(ann.page.get_by_role("tab", name="Sign in")).to_be_visible()
    await keys.press("Tab")
    await expect(ann.page.get_by_role("tab", name="Sign in")).to_be_focused()
    await keys.press("ArrowRight")
    await expect(ann.page.get_by_role("tab", name="Create account")).to_be_focused()
    await expect(ann.page.get_by_role("tab", name="Create account")).to_have_attribute(
        "aria-selected", "true"
    )
    for value in ("Ann", ann.email, "correct horse battery"):
        await keys.press("Tab")
        await keys.type(value)
    await keys.press("Enter")
    await expect(ann.page.get_by_role("heading", name="Notes", exact=True)).to_be_visible()
    await expect(ann.page.get_by_text("Ann", exact=True)).to_be_visible()
