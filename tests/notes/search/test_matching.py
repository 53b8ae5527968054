"""The matching table (see the package's docstring), and words far longer than usual."""

import itertools
from collections.abc import Iterator

import httpx
import pytest

from teamnotes.kit.search import LARGEST_DOCUMENT, LONGEST_WORD, document, words
from tests.factories import User, make_note
from tests.notes.search.cases import FULLWIDTH_ABC, MATCHING_CASES
from tests.notes.search.support import Corpus, found_ids


class TestSearchMatching:
    @pytest.mark.parametrize(("q", "expected"), MATCHING_CASES, ids=[q for q, _ in MATCHING_CASES])
    async def test_finds_exactly_the_expected_notes(
        self, client: httpx.AsyncClient, corpus: Corpus, q: str, expected: set[str]
    ) -> None:
        ids = await found_ids(client, corpus.user, q)
        assert {corpus.keys[note_id] for note_id in ids} == expected
        assert len(ids) == len(set(ids))

    def test_words_fold_case_accents_and_compatibility_forms(self) -> None:
        # The behaviour the table relies on, stated once at the source.
        assert words("Hauptstraße") == ["hauptstrasse"]
        assert words("Café CAFÉ") == ["cafe", "cafe"]
        assert words("don't e-mail") == ["don", "t", "e", "mail"]
        assert words(f"{FULLWIDTH_ABC} ﬁle İ") == ["abc", "file", "i"]
        assert words("\"'*-:()&|!<->\\%_") == []
        assert words("会議の議事録") == ["会議の議事録"]
        assert words("x" * 5000) == ["x" * LONGEST_WORD]

    async def test_a_long_run_of_one_letter_is_still_found(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        # PostgreSQL refuses lexemes over 2,047 bytes; a note may hold a far longer word.
        long_word = "x" * 5000
        note = await make_note(client, alice, title="Long", content=f"{long_word} tail")
        assert await found_ids(client, alice, "x" * 200) == [note["id"]]
        assert await found_ids(client, alice, "tail") == [note["id"]]

    async def test_a_title_that_expands_under_decomposition_is_found(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        # "㍿" decomposes (NFKD) to four ideographs: 200 of them make one 2,400-byte word.
        note = await make_note(client, alice, title="㍿" * 200)
        assert await found_ids(client, alice, "株式会社") == [note["id"]]
        assert await found_ids(client, alice, "㍿" * 200) == [note["id"]]

    async def test_a_note_whose_words_outgrow_a_tsvector_is_stored_and_found(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        # 20,000 distinct words of square katakana, each decomposing to 12-18 letters:
        # over a million bytes of words from 100,000 characters of content.
        content = " ".join(itertools.islice(_expanding_words(), 20_000))[:100_000]
        kept = sum(len(word.encode()) for word in document(content).split())
        distinct = sum(len(word.encode()) for word in dict.fromkeys(words(content)))
        assert kept <= LARGEST_DOCUMENT < distinct
        note = await make_note(client, alice, title="Katakana", content=content)
        assert await found_ids(client, alice, content.split()[0]) == [note["id"]]
        assert await found_ids(client, alice, "katakana") == [note["id"]]


def _expanding_words() -> Iterator[str]:
    squares = "㌖㍖㍊㍇㌶㌴㌲㌮㌫㌠㌚㌙㌗㌕㌇㍿㍔㍑㍍㍌"
    return ("".join(combo) for combo in itertools.product(squares, repeat=4))
