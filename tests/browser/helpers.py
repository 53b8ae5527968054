"""What a person does in the web app, as steps the browser tests share."""

import json
import os
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, expect

from tests.test_metrics_workers import eventually

HERE = Path(__file__).parent
AXE = HERE / "vendor" / "axe.min.js"
ARTIFACTS = HERE / "artifacts"
DOCS_SCREENSHOTS = HERE.parent.parent / "docs" / "screenshots"
PASSWORD = "correct horse battery"

# Collects what the page's Content-Security-Policy refused: the app must need nothing
# it forbids.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')),
  }));
}"""


def unique_email(name: str) -> str:
    return f"{name}-{secrets.token_hex(4)}@example.com"


@dataclass
class Person:
    """One person at one browser (a context of their own)."""

    base_url: str
    context: BrowserContext
    page: Page
    email: str
    errors: list[str] = field(default_factory=list)

    async def goto(self, path: str) -> None:
        await self.page.goto(self.base_url + path)

    async def sign_up(self, name: str | None = None) -> None:
        await self.goto("/")
        await self.create_account(name)

    async def create_account(self, name: str | None = None) -> None:
        page = self.page
        await page.get_by_role("tab", name="Create account").click()
        if name:
            await page.get_by_label("Your name (optional)").fill(name)
        await page.get_by_label("Email").fill(self.email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Create account").click()
        await expect(page.get_by_role("heading", name="Notes", exact=True)).to_be_visible()

    async def sign_in(self) -> None:
        page = self.page
        await page.get_by_label("Email").fill(self.email)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in", exact=True).click()

    async def section(self, name: str) -> None:
        await self.page.get_by_role("navigation").get_by_role("link", name=name).click()

    async def token(self) -> str:
        """An access token of this person's own, from the API (for setting up data)."""
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            response = await http.post(
                "/auth/token", json={"email": self.email, "password": PASSWORD}
            )
            response.raise_for_status()
            return str(response.json()["access_token"])

    async def check_axe(self, screen: str) -> None:
        """No axe-core violation of serious or critical impact on what is on screen."""
        violations: list[dict[str, Any]] = await self.page.evaluate(AXE_RUN)
        grave = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert grave == [], f"{screen}: {json.dumps(grave, indent=1)}"

    async def shot(self, name: str, *, docs: bool = False) -> None:
        """A screenshot among the test artifacts; with TEAMNOTES_SCREENSHOTS=1, a
        README one in docs/screenshots too."""
        path = ARTIFACTS / f"{name}.png"
        await self.page.screenshot(path=path)
        if docs and os.environ.get("TEAMNOTES_SCREENSHOTS") == "1":
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            (DOCS_SCREENSHOTS / f"{name}.png").write_bytes(path.read_bytes())

    async def without_live_updates(self) -> None:
        """From the next page load on, this browser gets no events stream: a tab
        that has not heard of others' saves (a slow network, a laptop waking up)."""
        await self.page.route("**/events", lambda route: route.abort())

    async def csp_violations(self) -> list[str]:
        found: list[str] = []
        for page in self.context.pages:
            found += await page.evaluate("window.__cspViolations || []")
        return found


@dataclass
class Web:
    """The running app, and the people using it in a test."""

    url: str
    new_context: Callable[..., Awaitable[BrowserContext]]
    people: list[Person] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def person(self, name: str, url: str | None = None, **context_options: Any) -> Person:
        """Someone at a browser of their own, using this app (or the one at `url`)."""
        context = await self.new_context(**context_options)
        page = await context.new_page()
        person = Person(url or self.url, context, page, unique_email(name))
        page.on("pageerror", lambda error: person.errors.append(str(error)))
        self.people.append(person)
        return person

    async def check_clean(self) -> None:
        """Nobody's pages threw an uncaught error or broke the CSP."""
        for close in self.closers:
            await close()
        for person in self.people:
            assert person.errors == [], person.errors
            assert await person.csp_violations() == []


class Api:
    """The API as a script sees it: to set up what a test is not about, quickly."""

    def __init__(self, base_url: str, token: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10.0
        )

    async def call(self, method: str, path: str, **options: Any) -> Any:
        response = await self.http.request(method, path, **options)
        assert response.status_code < 400, (method, path, response.text)
        return response.json() if response.content else None

    async def route_exists(self, method: str, path: str) -> bool:
        """False when the backend has no such route yet (Starlette's own 404)."""
        async with self.http.stream(method, path) as response:
            if response.status_code != 404:
                return True
            await response.aread()
            return bool(response.json()["detail"] != "Not found")

    async def close(self) -> None:
        await self.http.aclose()


async def token_of(base_url: str, email: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post("/auth/token", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


async def register(base_url: str, email: str, name: str | None = None) -> None:
    body = {"email": email, "password": PASSWORD, "display_name": name}
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post("/auth/register", json=body)
        assert response.status_code == 201, response.text


@dataclass
class Team:
    """Ann (owner) and Bob (editor) in a team workspace, both signed in, both with
    an API client of their own."""

    ann: Person
    bob: Person
    workspace: dict[str, Any]
    ann_api: Api
    bob_api: Api

    def path(self, *parts: str) -> str:
        return "/".join(["", "workspaces", self.workspace["id"], *parts])

    def app_path(self, *parts: str) -> str:
        return "/".join(["", "app", "w", self.workspace["id"], *parts])


async def make_team(web: Web, name: str = "Acme", role: str = "editor") -> Team:
    """A team made through the API, and both people signed in at its notes."""
    ann, bob = await web.person("ann"), await web.person("bob")
    for person, full_name in ((ann, "Ann Archer"), (bob, "Bob Baker")):
        await register(web.url, person.email, full_name)
    ann_api, bob_api = Api(web.url, await ann.token()), Api(web.url, await bob.token())
    web.closers += [ann_api.close, bob_api.close]
    workspace = await ann_api.call("POST", "/workspaces", json={"name": name})
    invitation = await ann_api.call(
        "POST", f"/workspaces/{workspace['id']}/invitations", json={"role": role}
    )
    await bob_api.call("POST", "/invitations/accept", json={"token": invitation["token"]})
    team = Team(ann, bob, workspace, ann_api, bob_api)
    for person in (ann, bob):
        await person.goto(team.app_path("notes"))
        await person.sign_in()
        await expect(person.page.get_by_role("heading", name="Notes", exact=True)).to_be_visible()
    return team


async def holds(read: Callable[[], Awaitable[Any]], expected: Any) -> None:
    """`read()` answers `expected` within a bound: what the API holds after the
    app's requests, which the page does not wait for."""
    assert await eventually(read, lambda found: found == expected, seconds=5.0) == expected
