"""Query syntax, SQL and oddities in `q` are taken as text: 200, never a 500."""

import httpx
import pytest

from tests.factories import User
from tests.notes.search.cases import HOSTILE_QUERIES
from tests.notes.search.support import search


class TestSearchHostileInput:
    @pytest.mark.parametrize("q", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
    async def test_is_taken_as_text_and_finds_only_the_callers_notes(
        self,
        client: httpx.AsyncClient,
        hostile_owners: tuple[User, set[str], User],
        q: str,
    ) -> None:
        caller, own, _ = hostile_owners
        response = await search(client, caller, q, limit=100)
        assert response.status_code == 200, response.text
        ids = {item["id"] for item in response.json()["items"]}
        assert ids <= own

    @pytest.mark.parametrize(
        ("q", "expected_titles"),
        [
            ("NEAR", {"Salt and pepper"}),
            ("and", {"Salt and pepper"}),
            ("OR", {"Not today"}),
            ("NOT", {"Not today"}),
            ("salt AND pepper", {"Salt and pepper"}),
            ("salt OR today", set()),  # every word must match: OR is a word too
            ("NOT salt", set()),
            ("-salt", {"Salt and pepper"}),
            ("salt*", {"Salt and pepper"}),
            ('"salt" "pepper"', {"Salt and pepper"}),
            ("salt:*", {"Salt and pepper"}),
            ("salt & pepper", {"Salt and pepper"}),
            ("(today)", {"Not today"}),
            ("'; DROP TABLE note; --", set()),
            ("🙂", set()),
            ("%", set()),
        ],
    )
    async def test_operators_and_punctuation_are_words_or_nothing(
        self,
        client: httpx.AsyncClient,
        hostile_owners: tuple[User, set[str], User],
        q: str,
        expected_titles: set[str],
    ) -> None:
        caller, _, _ = hostile_owners
        response = await search(client, caller, q)
        assert response.status_code == 200, response.text
        assert {item["title"] for item in response.json()["items"]} == expected_titles

    @pytest.mark.parametrize(
        "q",
        ["", "\x00", "salt\x00", "a" * 201, "🙂" * 201],
        ids=["empty", "nul", "nul-inside", "201", "201-emoji"],
    )
    async def test_an_invalid_q_is_422(
        self, client: httpx.AsyncClient, hostile_owners: tuple[User, set[str], User], q: str
    ) -> None:
        caller, _, _ = hostile_owners
        response = await search(client, caller, q)
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["error_code"] == "validation_error"
        assert body["field"] == "query.q"

    async def test_two_hundred_emoji_are_accepted(
        self, client: httpx.AsyncClient, hostile_owners: tuple[User, set[str], User]
    ) -> None:
        caller, _, _ = hostile_owners
        response = await search(client, caller, "🙂" * 200)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == 0
