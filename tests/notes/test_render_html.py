"""GET /notes/{id}/html (API.md §3): CommonMark and tables, as a sanitised fragment.

Every payload of the XSS corpus is stored as a note's content, rendered through the
API, and the fragment is parsed with the standard library's HTML parser (which
unescapes attribute values as a browser does): no element that runs or loads active
content, no event-handler attribute, and no URL that a browser would run as script
or load as inline data.
"""

import re
from html.parser import HTMLParser

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.kit.ids import new_id
from tests.factories import User, make_note, token_user, without_request_id

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

XSS_CORPUS = [
    # script elements, in many casings and shapes
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=https://evil.example/x.js></script>",
    "<script\n>alert(1)</script\n>",
    "<script/xss src=https://evil.example/x.js></script>",
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</script>",
    "<script>alert(1)",
    "</script><script>alert(1)</script>",
    "text <script>alert(1)</script> more text",
    "> quoted\n<script>alert(1)</script>",
    "- item <script>alert(1)</script>",
    # event-handler attributes
    "<img src=x onerror=alert(1)>",
    '<img src="x" ONERROR="alert(1)">',
    "<img src=x oNeRrOr=alert(1)//>",
    '<body onload="alert(1)">',
    '<div onmouseover="alert(1)">hover</div>',
    '<p onclick="alert(1)">click</p>',
    "<a href=https://example.com onfocus=alert(1) autofocus>x</a>",
    '<details open ontoggle="alert(1)"><summary>s</summary></details>',
    '<video><source onerror="alert(1)"></video>',
    '<input autofocus onfocus="alert(1)">',
    '<marquee onstart="alert(1)">m</marquee>',
    "<img src=x onerror\n=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    # javascript: URLs in links and images, with every disguise
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="\tjavascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114'
    '&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="&#x01;javascript:alert(1)">x</a>',
    "<a href=javascript:alert(1)>x</a>",
    "<a href='javascript:alert(1)'>x</a>",
    '<a href="vbscript:msgbox(1)">x</a>',
    '<img src="javascript:alert(1)">',
    '<img src="JAVASCRIPT:alert(1)">',
    '<img src=" &#14;  javascript:alert(1)">',
    '<img srcset="javascript:alert(1) 1x">',
    '<img dynsrc="javascript:alert(1)" lowsrc="javascript:alert(1)">',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<blockquote cite="javascript:alert(1)">q</blockquote>',
    '<q cite="data:text/html,x">q</q><del cite="vbscript:x">d</del>',
    '<ins cite="javascript:alert(1)">i</ins>',
    # data: URLs
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)",
    # Markdown's own link, image, reference and autolink syntax
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](  javascript:alert(1)  )",
    "[click](<javascript:alert(1)>)",
    "[click](&#x6A;avascript:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](java%0ascript:alert(1))",
    "![image](javascript:alert(1))",
    '![image](javascript:alert(1) "title")',
    "[ref]\n\n[ref]: javascript:alert(1)",
    "![ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,hi>",
    '[a](https://example.com"onmouseover="alert(1))',
    '[a](https://example.com "title\\" onmouseover=\\"alert(1)")',
    # SVG and MathML
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    # frames, plugins, forms, meta, base, style
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<IFRAME SRC=https://evil.example></IFRAME>",
    '<object data="javascript:alert(1)"></object>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<embed src="javascript:alert(1)">',
    '<embed src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<applet code="x.class"></applet>',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<style>*{width:expression(alert(1))}</style>",
    '<div style="width: expression(alert(1))">x</div>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><input type="submit"></form>',
    '<form><button formaction="javascript:alert(1)">x</button></form>',
    '<isindex type="image" src=1 onerror=alert(1)>',
    # comments, CDATA, broken and nested markup
    "<!--<script>alert(1)</script>-->",
    "<!--><script>alert(1)</script>-->",
    "<!-- --!><script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml version='1.0'?><script>alert(1)</script>",
    '<div><p title="</p><script>alert(1)</script>">x</p></div>',
    '<img src="x" alt="\'"><script>alert(1)</script>">',
    "<a href='https://example.com'><script>alert(1)</script></a>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<xmp><script>alert(1)</script></xmp>",
    "<template><script>alert(1)</script></template>",
    "<select><template><img src=x onerror=alert(1)></template></select>",
    # inside Markdown constructs
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
    "# <img src=x onerror=alert(1)> heading",
    '*<a href="javascript:alert(1)">emphasis</a>*',
    "```\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
]


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


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


async def render(client: httpx.AsyncClient, user: User, content: str) -> httpx.Response:
    note = await make_note(client, user, title="Rendered", content=content)
    return await client.get(f"/notes/{note['id']}/html", headers=user.headers)


class TestRenderNoteHtml:
    async def test_is_an_html_fragment_that_is_never_cached(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        response = await render(client, alice, "Hello")
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["etag"] == '"1"'
        assert response.text == "<p>Hello</p>\n"

    async def test_renders_commonmark_and_tables(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        content = (
            "# Heading\n\n## Second\n\n"
            "Some *emphasis*, **strong** and `inline code`.\n\n"
            "- one\n- two\n\n1. first\n2. second\n\n"
            "```python\nprint('<b>')\n```\n\n"
            "> quoted\n\n"
            "| Name | Qty |\n|:-----|----:|\n| Apple | 3 |\n\n"
            '[link](https://example.com/a?b=1&c=2 "Title") and <https://auto.example>\n\n'
            "![alt text](https://example.com/x.png)\n"
        )
        html = (await render(client, alice, content)).text
        for expected in [
            "<h1>Heading</h1>",
            "<h2>Second</h2>",
            "<em>emphasis</em>",
            "<strong>strong</strong>",
            "<code>inline code</code>",
            "<ul>\n<li>one</li>\n<li>two</li>\n</ul>",
            "<ol>\n<li>first</li>\n<li>second</li>\n</ol>",
            "<pre><code>print('&lt;b&gt;')\n</code></pre>",
            "<blockquote>\n<p>quoted</p>\n</blockquote>",
            "<th>Name</th>",
            "<th>Qty</th>",
            "<td>Apple</td>",
            "<td>3</td>",
            '<img src="https://example.com/x.png" alt="alt text">',
        ]:
            assert expected in html, (expected, html)
        elements = parse(html)
        tags = [tag for tag, _ in elements]
        assert tags.count("table") == 1
        assert {"thead", "tbody", "tr"} <= set(tags)
        links = [dict(attrs) for tag, attrs in elements if tag == "a"]
        assert [link["href"] for link in links] == [
            "https://example.com/a?b=1&c=2",
            "https://auto.example",
        ]
        assert links[0]["title"] == "Title"

    async def test_text_is_escaped_not_interpreted(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        html = (await render(client, alice, '1 < 2 & 3 > 2 "quoted"')).text
        assert html == '<p>1 &lt; 2 &amp; 3 &gt; 2 "quoted"</p>\n'

    async def test_an_empty_note_renders_as_an_empty_fragment(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        response = await render(client, alice, "")
        assert response.status_code == 200
        assert response.text == ""

    async def test_a_long_note_is_rendered_whole(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        # Beyond the size rendered inline, the work moves to a thread: same result.
        content = "\n\n".join(f"Paragraph **{n}**" for n in range(3000))
        assert 20_000 < len(content) <= 100_000
        html = (await render(client, alice, content)).text
        assert html.count("<p>") == 3000
        assert html.endswith("<p>Paragraph <strong>2999</strong></p>\n")

    async def test_another_users_note_is_404(
        self, client: httpx.AsyncClient, alice: User, app: FastAPI
    ) -> None:
        note = await make_note(client, alice, title="Private", content="secret")
        response = await client.get(
            f"/notes/{note['id']}/html", headers=(await token_user(app)).headers
        )
        missing = await client.get(f"/notes/{new_id()}/html", headers=alice.headers)
        for answer in (response, missing):
            assert answer.status_code == 404
            assert answer.headers["content-type"] == "application/json"
            assert without_request_id(answer.json()) == {
                "detail": "Note not found",
                "error_code": "not_found",
                "field": None,
            }
            assert answer.json()["request_id"] == answer.headers["x-request-id"]
        assert "secret" not in response.text

    @pytest.mark.parametrize(
        "note_id", ["not-a-uuid", "123", "01a2098a-093a-71b2-a84c-cdc1a4a852dZ", "%00", "%20"]
    )
    async def test_a_malformed_id_is_404_with_the_json_error_body(
        self, client: httpx.AsyncClient, alice: User, note_id: str
    ) -> None:
        response = await client.get(f"/notes/{note_id}/html", headers=alice.headers)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert without_request_id(body) == {
            "detail": "Note not found",
            "error_code": "not_found",
            "field": None,
        }
        assert body["request_id"] == response.headers["x-request-id"]

    async def test_without_a_token_is_401(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice)
        response = await client.get(f"/notes/{note['id']}/html")
        assert response.status_code == 401
        assert response.json()["error_code"] == "not_authenticated"


class TestRenderNoteHtmlXss:
    def test_the_corpus_is_large_and_the_checker_catches_what_it_should(self) -> None:
        assert len(XSS_CORPUS) >= 25
        assert unsafe_parts('<a href=" &#x6A;ava\tscript:x">') != []
        assert unsafe_parts('<img srcset="https://a 1x, data:x 2x">') != []
        assert unsafe_parts("<svg><p onclick=x>") == ["<svg>", "<p onclick>"]
        assert unsafe_parts('<a href="https://example.com/javascript:">') == []

    @pytest.mark.parametrize("payload", XSS_CORPUS, ids=range(len(XSS_CORPUS)))
    async def test_no_payload_survives(
        self, client: httpx.AsyncClient, alice: User, payload: str
    ) -> None:
        response = await render(client, alice, payload)
        assert response.status_code == 200
        assert unsafe_parts(response.text) == [], response.text
        # What a careless consumer might grep for is gone too, outside escaped text.
        assert "<script" not in response.text.lower()

    async def test_the_whole_corpus_at_once_renders_safely(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        response = await render(client, alice, "\n\n".join(XSS_CORPUS))
        assert response.status_code == 200
        assert unsafe_parts(response.text) == []
