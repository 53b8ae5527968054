"""The words of a text as revisions 0004 and 0006 stored them: a frozen copy.

A migration must build the same schema and data whenever it runs, so it may not
call application code that can change later. This is teamnotes.kit.search's
normaliser as it was when those revisions were written; a test checks that the two
still agree, so that changing the live one is a decision (with a migration that
recomputes the stored words), not an accident.
"""

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")

LONGEST_WORD = 500
LARGEST_DOCUMENT = 1_000_000


def words(text: str) -> list[str]:
    """The searchable words of a text: no accents, case-folded, letters and digits."""
    decomposed = unicodedata.normalize("NFKD", text)
    unmarked = "".join(
        char for char in decomposed if not unicodedata.category(char).startswith("M")
    )
    return [word[:LONGEST_WORD] for word in _WORD.findall(unmarked.casefold())]


def document(text: str) -> str:
    """What is stored for a text: its distinct words, space-separated."""
    kept: list[str] = []
    size = 0
    for word in dict.fromkeys(words(text)):
        size += len(word.encode())
        if size > LARGEST_DOCUMENT:
            break
        kept.append(word)
    return " ".join(kept)
