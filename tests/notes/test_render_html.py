"""GET /notes/{id}/html (API.md §3): CommonMark and tables, as a sanitised fragment."""

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.kit.ids import new_id
from tests.factories import User, make_note, token_user, without_request_id
from tests.notes.rendering import parse, render


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
