"""Revisions 0004 and 0006 computed the stored search words with a frozen copy of the
normaliser (teamnotes.migrations.normaliser_v1). Where it and the live one part, the
words stored by those revisions differ from those the application computes: changing
the live normaliser then needs a migration that recomputes them."""

from hypothesis import given
from hypothesis import strategies as st

from teamnotes.kit import search
from teamnotes.migrations import normaliser_v1
from tests.notes.search.cases import CORPUS, MATCHING_CASES

SAMPLES = [
    *(text for pair in CORPUS.values() for text in pair),
    *(q for q, _ in MATCHING_CASES),
    "",
    "x" * 5000,  # cut to LONGEST_WORD
    "㍿" * 300,  # longer after decomposition
    " ".join(f"w{number}" for number in range(200_000)),  # over LARGEST_DOCUMENT
]


class TestFrozenNormaliser:
    def test_the_bounds_agree(self) -> None:
        assert normaliser_v1.LONGEST_WORD == search.LONGEST_WORD
        assert normaliser_v1.LARGEST_DOCUMENT == search.LARGEST_DOCUMENT

    def test_the_samples_make_the_same_documents(self) -> None:
        for text in SAMPLES:
            assert normaliser_v1.document(text) == search.document(text), text[:80]
        # The last sample is cut, so the cut is compared too.
        assert normaliser_v1.document(SAMPLES[-1]) != " ".join(normaliser_v1.words(SAMPLES[-1]))

    @given(st.text())
    def test_any_text_makes_the_same_words(self, text: str) -> None:
        assert normaliser_v1.words(text) == search.words(text)
        assert normaliser_v1.document(text) == search.document(text)
