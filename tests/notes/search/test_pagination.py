"""Pages of a search: every match once, and the total counted."""

import httpx

from tests.factories import User, make_note
from tests.notes.search.support import search


class TestSearchPagination:
    async def test_pages_of_a_search_walk_every_match_once_with_the_total(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        matching = {
            (await make_note(client, alice, title=f"Page {n}", content="findme"))["id"]
            for n in range(7)
        }
        for n in range(3):
            await make_note(client, alice, title=f"Other {n}", content="nothing")
        seen: list[str] = []
        for offset in (0, 3, 6):
            response = await search(client, alice, "findme", limit=3, offset=offset)
            assert response.status_code == 200, response.text
            body = response.json()
            assert (body["total"], body["limit"], body["offset"]) == (7, 3, offset)
            seen += [item["id"] for item in body["items"]]
        assert len(seen) == 7
        assert set(seen) == matching

    async def test_past_the_end_the_total_is_still_counted(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        for _ in range(2):
            await make_note(client, alice, title="Counted", content="")
        response = await search(client, alice, "counted", offset=10)
        assert response.status_code == 200, response.text
        assert response.json() | {"items": None} == {
            "items": None,
            "total": 2,
            "limit": 20,
            "offset": 10,
        }

    async def test_no_match_is_an_empty_page(self, client: httpx.AsyncClient, alice: User) -> None:
        await make_note(client, alice, title="Something")
        response = await search(client, alice, "nothing-like-it")
        assert response.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}
