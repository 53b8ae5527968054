"""Rendering a note through the API, and a check of the fragment as a browser would parse it."""

import re
from html.parser import HTMLParser

import httpx

from tests.factories import User, make_note

FORBIDDEN_ELEMENTS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "style",
    "link",
    "meta",
    "base",
    "form",
    "input",
    "button",
    "textarea",
    "svg",
    "math",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "srcset",
    "action",
    "formaction",
    "xlink:href",
    "background",
    "poster",
    "data",
    "codebase",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
# What browsers ignore in a URL: leading/trailing C0 controls and spaces, and tabs or
# newlines anywhere (WHATWG URL); removing every one of them is stricter still.
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")


class _Fragment(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def parse(fragment: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Fragment()
    parser.feed(fragment)
    parser.close()
    return parser.elements


def unsafe_parts(fragment: str) -> list[str]:
    """What in a fragment could run script or load active content, described."""
    found = []
    for tag, attrs in parse(fragment):
        if tag in FORBIDDEN_ELEMENTS:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc"}:
                found.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and value is not None:
                # html.parser has already unescaped the value, as a browser would.
                # srcset holds a list of "URL descriptor" candidates.
                urls = [value, *(part.strip().partition(" ")[0] for part in value.split(","))]
                if any(
                    _IGNORED_IN_URLS.sub("", url).lower().startswith(DANGEROUS_SCHEMES)
                    for url in urls
                ):
                    found.append(f"<{tag} {name}={value!r}>")
    return found


async def render(client: httpx.AsyncClient, user: User, content: str) -> httpx.Response:
    note = await make_note(client, user, title="Rendered", content=content)
    return await client.get(f"/notes/{note['id']}/html", headers=user.headers)
