"""Made-up Markdown for the seed: a vocabulary with Zipf-like word frequencies, banks
of paragraphs, headings and checklists drawn from it, and search queries of its words.

Every part's search words are computed once: a note's words are its parts' words, in
order, deduplicated, which is what the application stores (checked on the first notes).
"""

import itertools
import random
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from teamnotes.kit.search import document, words

CHECKED_NOTES = 50  # notes whose shortcut search words are compared with document()
COMMON_WORDS = 30  # the most frequent ranks, never searched for: they match everything


def vocabulary(rng: random.Random, size: int) -> list[str]:
    syllables = [
        "ka", "lo", "mi", "ren", "to", "sa", "vel", "nor", "di", "qua", "ter", "ly", "bri",
        "an", "co", "ment", "pro", "ject", "or", "der", "re", "port", "plan", "sprint", "de",
        "sign", "bud", "get", "tea", "rev", "iew", "ship", "ping", "ro", "ad", "map", "fix",
    ]  # fmt: skip
    found: dict[str, None] = {}
    # Real words first (the most frequent ranks), a few with accents.
    for word in (
        "the", "project", "meeting", "notes", "review", "budget", "quarterly", "roadmap",
        "release", "sprint", "design", "customer", "feedback", "deadline", "report", "draft",
        "launch", "team", "planning", "invoice", "café", "résumé", "naïve", "façade", "über",
        "crème", "brûlée", "jalapeño", "señor", "déjà",
    ):  # fmt: skip
        found[word] = None
    while len(found) < size:
        found["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))] = None
    return list(found)


@dataclass
class NoteText:
    title: str
    content: str
    search_body: str


class Corpus:
    """The text of one seed, drawn from one random generator (so a seed repeats)."""

    def __init__(self, rng: random.Random, size: int = 1500) -> None:
        self.rng = rng
        self.vocab = vocabulary(rng, size)
        self._cum_weights = list(
            itertools.accumulate(1 / (rank + 1) ** 1.07 for rank in range(size))
        )
        self.paragraphs = [
            " ".join(self.sentence(rng.randint(8, 18)) for _ in range(rng.randint(3, 6)))
            for _ in range(400)
        ]
        self.headings = ["## " + self.title(2, 5) for _ in range(100)]
        self.checklists = [
            "\n".join(
                f"- [{'x' if rng.random() < 0.4 else ' '}] {self.sentence(5)}"
                for _ in range(rng.randint(3, 6))
            )
            for _ in range(100)
        ]
        self._words_of = {
            part: words(part) for part in (*self.paragraphs, *self.headings, *self.checklists)
        }
        self._checked = 0

    def sentence(self, count: int) -> str:
        chosen = self.rng.choices(self.vocab, cum_weights=self._cum_weights, k=count)
        return " ".join(chosen).capitalize() + "."

    def title(self, shortest: int, longest: int) -> str:
        """A sentence of `shortest` to `longest` words, without its full stop."""
        return self.sentence(self.rng.randint(shortest, longest))[:-1]

    def paragraph_of(self, chosen: list[str]) -> str:
        """A paragraph holding every one of these words, in sentences of 8 to 18."""
        shuffled = self.rng.sample(chosen, len(chosen))
        sentences = []
        while shuffled:
            length = self.rng.randint(8, 18)
            sentences.append(" ".join(shuffled[:length]).capitalize() + ".")
            del shuffled[:length]
        paragraph = " ".join(sentences)
        self._words_of[paragraph] = words(paragraph)
        return paragraph

    def note(self, extra: tuple[str, ...] = ()) -> NoteText:
        """A heading, four to eight paragraphs (then the extra ones), a checklist."""
        parts = [
            self.rng.choice(self.headings),
            *self.rng.sample(self.paragraphs, self.rng.randint(4, 8)),
            *extra,
            self.rng.choice(self.checklists),
        ]
        content = "\n\n".join(parts)
        title = self.title(2, 6)
        body = " ".join(dict.fromkeys(word for part in parts for word in self._words_of[part]))
        if self._checked < CHECKED_NOTES:  # the shortcut must give exactly what the app stores
            assert body == document(content), "search words differ from the app's"
            self._checked += 1
        return NoteText(title, content, body)

    def search_words(self, count: int, exclude: frozenset[str] = frozenset()) -> list[str]:
        """Words to search for: beyond the most frequent, none of `exclude`."""
        eligible = [word for word in self.vocab[COMMON_WORDS:] if word not in exclude]
        return self.rng.sample(eligible, count)

    def query(self, word: str) -> str:
        """The word, or (three times in ten, when long) its first four letters without
        accents, URL-encoded."""
        folded = "".join(
            c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)
        )
        return quote(folded[:4] if self.rng.random() < 0.3 and len(folded) > 5 else word)
