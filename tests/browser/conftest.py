"""The web app in Debian's headless Chromium, driven by Playwright, against a real
`teamnotes serve` on loopback.

One browser and one server (SQLite, one worker) serve every test of a run; each
test makes users and contexts (fresh profiles: cookies, storage) of its own.
Every context runs the app under its real Content-Security-Policy: axe-core comes
in as an init script, which the policy does not govern, and every policy violation
a page reports fails its test.
"""

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright

from tests.browser.helpers import ARTIFACTS, AXE, CSP_WATCH, Web
from tests.servers import Servers

# Debian's build: Playwright's own browser download (`playwright install`) is never used.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}

ContextFactory = Callable[..., Awaitable[BrowserContext]]


def chromium_path() -> str:
    # Debian's by default; TEAMNOTES_TEST_CHROMIUM names another build (a CI's Chrome).
    found = os.environ.get("TEAMNOTES_TEST_CHROMIUM") or shutil.which("chromium")
    if found is None:
        pytest.fail(
            "the browser tests need Debian's chromium: `make test` installs it as root "
            "(scripts/ensure-chromium), or run `apt-get install chromium`"
        )
    return found


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    # launch() gives the browser a fresh, temporary profile directory of its own.
    launched = await playwright.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_FLAGS
    )
    yield launched
    await launched.close()


@pytest.fixture(scope="session")
async def web_servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Callable[[str], Awaitable[str]]]:
    """The URL of a running server with the web app on a database URL, each started
    on first use: a SQLite file of its own, or the run's PostgreSQL database."""
    directory = tmp_path_factory.mktemp("web-servers")
    servers = Servers(directory)
    started: dict[str, str] = {}

    async def url_of(database_url: str) -> str:
        if database_url not in started:
            server = await servers.start(
                database_url=database_url, data_dir=directory / f"data-{len(started)}"
            )
            started[database_url] = server.url
        return started[database_url]

    try:
        yield url_of
    finally:
        servers.stop_all()


@pytest.fixture
def web_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """SQLite, unless a test asks for an engine with
    `parametrize("web_database_url", BACKENDS, indirect=True)`."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return str(request.getfixturevalue("postgres_server"))
    return f"sqlite:///{tmp_path_factory.getbasetemp() / 'web-app.db'}"


@pytest.fixture
async def web_url(web_database_url: str, web_servers: Callable[[str], Awaitable[str]]) -> str:
    """The app's address; TEAMNOTES_TEST_WEB_URL names a deployment that already
    runs instead (with local accounts on)."""
    if os.environ.get("TEAMNOTES_TEST_WEB_URL"):
        return os.environ["TEAMNOTES_TEST_WEB_URL"]
    return await web_servers(web_database_url)


@pytest.fixture
async def contexts(
    browser: Browser, request: pytest.FixtureRequest
) -> AsyncIterator[ContextFactory]:
    """Makes browser contexts (one per person) that are closed after the test, and
    whose pages are photographed into the artifacts when the test fails."""
    made: list[BrowserContext] = []

    async def make(**options: object) -> BrowserContext:
        context = await browser.new_context(
            viewport=options.pop("viewport", DESKTOP), accept_downloads=True, **options
        )
        await context.add_init_script(path=str(AXE))
        await context.add_init_script(script=CSP_WATCH)
        context.set_default_timeout(10_000)
        made.append(context)
        return context

    yield make
    failed = getattr(request.node, "failed_call", False)
    for number, context in enumerate(made):
        if failed:
            for index, page in enumerate(context.pages):
                name = f"failed-{request.node.name}-{number}-{index}.png"
                await page.screenshot(path=ARTIFACTS / name, full_page=True)
        await context.close()


@pytest.fixture
async def web(web_url: str, contexts: ContextFactory) -> AsyncIterator[Web]:
    running = Web(web_url, contexts)
    yield running
    await running.check_clean()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if call.when == "call" and call.excinfo is not None:
        item.failed_call = True  # type: ignore[attr-defined]
    return report
