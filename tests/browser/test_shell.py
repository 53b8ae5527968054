"""The app's first load: what it costs, what its policy allows, how it starts."""

from pathlib import Path

import pytest
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import expect

from tests.browser.helpers import Web
from tests.servers import Servers

pytestmark = [pytest.mark.slow, pytest.mark.browser]

BUDGET_BYTES = 150 * 1000
SIGN_IN_PAGE = "https://id.example.com/sign-in?return_to=teamnotes"

# Every byte the first load moves: the page itself and each resource it fetches.
TRANSFERRED = """() => {
  const [page] = performance.getEntriesByType('navigation');
  const resources = performance.getEntriesByType('resource').map((entry) => ({
    path: new URL(entry.name).pathname,
    transferred: entry.transferSize,
    encoded: entry.encodedBodySize,
    decoded: entry.decodedBodySize,
  }));
  const total = resources.reduce((sum, entry) => sum + entry.transferred, page.transferSize);
  return { total, resources };
}"""


async def test_the_first_load_fits_the_budget_compressed(web: Web) -> None:
    ann = await web.person("ann")
    await ann.goto("/")
    await expect(ann.page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    await ann.page.wait_for_load_state("networkidle")
    measured = await ann.page.evaluate(TRANSFERRED)
    assert 0 < measured["total"] <= BUDGET_BYTES, measured
    paths = [entry["path"] for entry in measured["resources"]]
    # The whole app came in the first load, from this host only.
    assert "/app/assets/main.js" in paths
    assert "/app/vendor/preact.module.js" in paths
    assert all(path.startswith("/app/") for path in paths), paths
    # Anything worth compressing went gzipped (the smallest files go as they are).
    large = [entry for entry in measured["resources"] if entry["decoded"] > 1000]
    assert len(large) > 10
    assert [entry for entry in large if entry["encoded"] >= entry["decoded"]] == []


async def test_inline_scripts_are_refused(web: Web) -> None:
    ann = await web.person("ann")
    await ann.goto("/")
    await expect(ann.page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    with pytest.raises(PlaywrightError, match="Content Security Policy"):
        await ann.page.add_script_tag(content="window.injected = true")
    assert await ann.page.evaluate("window.injected === undefined")
    assert await ann.csp_violations() != []
    # What this test provoked is not the app's doing.
    web.people.remove(ann)


async def test_a_wrong_password_shows_the_apis_message(web: Web) -> None:
    ann = await web.person("ann")
    await ann.sign_up()
    await ann.page.get_by_role("button", name="Sign out").click()
    await ann.page.get_by_label("Email").fill(ann.email)
    await ann.page.get_by_label("Password").fill("not the password")
    await ann.page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(ann.page.get_by_role("alert")).to_have_text("Incorrect email or password")
    # No provider here: no such button.
    await expect(
        ann.page.get_by_role("link", name="Sign in with your identity provider")
    ).to_have_count(0)
    await ann.check_axe("sign in, failed")


async def test_a_deployment_with_a_provider_offers_it_instead_of_passwords(
    web: Web, tmp_path: Path
) -> None:
    servers = Servers(tmp_path)
    try:
        server = await servers.start(
            database_url=f"sqlite:///{tmp_path / 'provider.db'}",
            data_dir=tmp_path / "data",
            local_auth="false",
            # Fetched only when a provider token comes; none does here.
            jwt_jwks_url="https://id.example.com/jwks",
            jwt_issuer="https://id.example.com",
            jwt_audience="teamnotes",
            web_provider_sign_in_url=SIGN_IN_PAGE,
        )
        ann = await web.person("ann", url=server.url)
        await ann.goto("/")
        offered = ann.page.get_by_role("link", name="Sign in with your identity provider")
        await expect(offered).to_have_attribute("href", SIGN_IN_PAGE)
        await expect(ann.page.get_by_label("Password")).to_have_count(0)
        await ann.check_axe("sign in with a provider")
    finally:
        servers.stop_all()


async def test_a_provider_token_in_the_fragment_signs_in(web: Web) -> None:
    ann = await web.person("ann")
    await ann.sign_up()
    token = await ann.token()
    bob = await web.person("bob")
    # Any token the API accepts: a provider's is one the API checks against its JWKS.
    await bob.goto(f"/#provider_token={token}")
    await expect(bob.page.get_by_role("heading", name="Notes", exact=True)).to_be_visible()
    assert token not in bob.page.url
    await expect(bob.page.get_by_text(ann.email)).to_be_visible()
