"""With `q` and no sort, the best matches come first."""

import httpx
import pytest

from tests.factories import User, make_note
from tests.notes.search.support import found_ids, search


class TestSearchRelevance:
    async def test_with_q_and_no_sort_a_title_match_ranks_above_a_body_match(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        # Created first, so the id tie-break alone would put the body match first.
        in_body = await make_note(client, alice, title="Planning", content="the budget is tight")
        in_title = await make_note(client, alice, title="Budget review", content="numbers")
        assert await found_ids(client, alice, "budget") == [in_title["id"], in_body["id"]]

    async def test_equally_relevant_notes_come_by_id(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        notes = [await make_note(client, alice, title="Same words", content="") for _ in range(5)]
        expected = sorted(note["id"] for note in notes)
        assert await found_ids(client, alice, "same words") == expected

    @pytest.mark.parametrize(
        ("sort", "key", "reverse"),
        [
            ("title", "title", False),
            ("-title", "title", True),
            ("created_at", "created_at", False),
            ("-updated_at", "updated_at", True),
        ],
    )
    async def test_an_explicit_sort_wins_over_relevance(
        self, client: httpx.AsyncClient, alice: User, sort: str, key: str, reverse: bool
    ) -> None:
        await make_note(client, alice, title="Zebra budget", content="")
        await make_note(client, alice, title="Apple", content="budget budget budget")
        await make_note(client, alice, title="Mango budget", content="budget")
        await make_note(client, alice, title="Unrelated", content="nothing")
        response = await search(client, alice, "budget", sort=sort)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == 3
        values = [(item[key], item["id"]) for item in items]
        assert values == sorted(values, reverse=reverse)
