"""The app's reader of Server-Sent Events (live.js), run in the browser on streams
cut into chunks at awkward places: what EventSource would have made of them."""

import pytest
from playwright.async_api import expect

from tests.browser.helpers import Web

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PARSE = """async (chunks) => {
  const { eventParser } = await import('/app/assets/live.js');
  const events = [];
  const feed = eventParser((event) => events.push(event));
  for (const chunk of chunks) feed(chunk);
  return events;
}"""

STREAM = (
    ": keepalive\r\n\r\n"
    'id: c1\r\nevent: change\r\ndata: {"seq": 1}\r\n\r\n'
    "data: first line\ndata: second line\n\n"
    'id: c2\nevent: change\ndata:{"seq": 2}\n\n'
    "data: unfinished"
)
EXPECTED = [
    {"id": "c1", "event": "change", "data": '{"seq": 1}'},
    {"id": None, "event": "message", "data": "first line\nsecond line"},
    {"id": "c2", "event": "change", "data": '{"seq": 2}'},
]


async def test_events_survive_any_chunking(web: Web) -> None:
    reader = await web.person("reader")
    await reader.goto("/")
    await expect(reader.page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    for size in (len(STREAM), 1, 2, 7):
        chunks = [STREAM[start : start + size] for start in range(0, len(STREAM), size)]
        events = await reader.page.evaluate(PARSE, chunks)
        assert [{**event, "id": event.get("id")} for event in events] == EXPECTED, size
