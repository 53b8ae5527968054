"""Markdown to a safe HTML fragment (API.md §3: CommonMark and tables, sanitised).

markdown-it-py renders CommonMark (raw HTML included, as the spec has it); nh3, the
binding of the Ammonia sanitiser, then keeps only an allow-list of tags, attributes
and URL schemes: no script, no event handlers, no `javascript:` or `data:` URLs.
"""

import asyncio

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark").enable("table")

# Ammonia checks the URL scheme of `href` and `src` only: the `cite` of blockquote, q,
# del and ins would keep a `javascript:` URL, so that attribute is not kept at all.
_ATTRIBUTES = {tag: names - {"cite"} for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}

# Rendering a long note takes milliseconds: do it off the event loop.
_INLINE_LIMIT = 20_000


def _render(markdown: str) -> str:
    return nh3.clean(_markdown.render(markdown), attributes=_ATTRIBUTES)


async def render_html(markdown: str) -> str:
    if len(markdown) <= _INLINE_LIMIT:
        return _render(markdown)
    return await asyncio.to_thread(_render, markdown)
