"""GET /notes/{id}/html against the XSS corpus (tests/notes/xss_corpus.py).

Every payload of the XSS corpus is stored as a note's content, rendered through the
API, and the fragment is parsed with the standard library's HTML parser (which
unescapes attribute values as a browser does): no element that runs or loads active
content, no event-handler attribute, and no URL that a browser would run as script
or load as inline data.
"""

import httpx
import pytest

from tests.factories import User
from tests.notes.rendering import render, unsafe_parts
from tests.notes.xss_corpus import XSS_CORPUS


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
