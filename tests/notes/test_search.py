"""Searching notes and tasks with `q` (API.md §3): the same rows on SQLite and PostgreSQL.

Matching is case- and accent-insensitive and every word of `q` must match the start
of a word of the title or content, in any order. `teamnotes.kit.search.words` decides what
a word is (letters and digits after Unicode decomposition, accents dropped, case
folded), so punctuation splits words and `ß` folds to `ss`. Every case below runs on
both engines against the same corpus and expects the same rows.
"""

import itertools
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.kit.search import LARGEST_DOCUMENT, LONGEST_WORD, document, words
from tests.factories import User, make_note, make_task, token_user

# Full-width Latin letters (NFKD makes them ASCII), spelled as escapes.
FULLWIDTH_ABC = "\uff21\uff22\uff23"
FULLWIDTH_FULL = "\uff46\uff55\uff4c\uff4c"

# The corpus every matching case searches: a key, then (title, content).
CORPUS: dict[str, tuple[str, str]] = {
    "cafe_accented": ("Café au lait", "Morning order"),
    "cafe_plain": ("cafe menu", ""),
    "cafe_shouting": ("CAFÉ NOIR", "espresso"),
    "quarterly": ("Quarterly report", "Revenue grew in the third quarter"),
    "quartz": ("Quartz watch", "keeps time"),
    "budget_in_body": ("Planning", "The budget for 2025 is tight"),
    "strasse_eszett": ("Hauptstraße 5", "Berlin"),
    "strasse_plain": ("STRASSE map", ""),
    "japanese": ("会議の議事録", "東京オフィス"),
    "chinese": ("中文笔记", "学习"),
    "fullwidth": (f"{FULLWIDTH_ABC} Corp", f"{FULLWIDTH_FULL} width"),
    "invoice": ("Invoice 2024-001", "amount 1500"),
    "apostrophe": ("Don't panic", "towel"),
    "hyphen": ("e-mail address", "inbox"),
    "email": ("Email etiquette", ""),
    "greek": ("ΣΊΣΥΦΟΣ", "βράχος"),
    "turkish": ("İstanbul trip", ""),
    "ligature": ("ﬁle cabinet", ""),
    "naive": ("Naïve Bayes", "classifier"),
}

# q → the keys of the notes it finds.
MATCHING_CASES: list[tuple[str, set[str]]] = [
    # accents, both ways, and case
    ("cafe", {"cafe_accented", "cafe_plain", "cafe_shouting"}),
    ("café", {"cafe_accented", "cafe_plain", "cafe_shouting"}),
    ("CAFÉ", {"cafe_accented", "cafe_plain", "cafe_shouting"}),
    ("CaFe NoIr", {"cafe_shouting"}),
    ("naive", {"naive"}),
    ("NAÏVE bayes", {"naive"}),
    # prefixes
    ("quart", {"quarterly", "quartz"}),
    ("quarte", {"quarterly"}),
    ("q", {"quarterly", "quartz"}),
    ("quarterlyx", set()),
    ("uarterly", set()),  # a word must match from its start
    # several words: all must match, each as a prefix, in any order, title or content
    ("quart rep", {"quarterly"}),
    ("report quarterly", {"quarterly"}),
    ("rev quart", {"quarterly"}),  # one word in the content, one in the title
    ("quart watch", {"quartz"}),
    ("quart watch report", set()),
    ("quart quart QUART", {"quarterly", "quartz"}),  # repeated words change nothing
    # words in the title or only in the content
    ("planning", {"budget_in_body"}),
    ("budget", {"budget_in_body"}),
    ("espresso", {"cafe_shouting"}),
    ("berlin haupt", {"strasse_eszett"}),
    # ß case-folds to ss (str.casefold), so both spellings find both notes
    ("strasse", {"strasse_plain"}),  # "Hauptstraße" is one word starting with "haupt"
    ("hauptstrasse", {"strasse_eszett"}),
    ("HAUPTSTRASSE", {"strasse_eszett"}),
    ("hauptstraße", {"strasse_eszett"}),
    ("straße", {"strasse_plain"}),
    # other scripts: Greek final sigma, Turkish dotted I, ligatures, full-width forms
    ("σίσυφος", {"greek"}),
    ("ΣΙΣΥΦΟΣ", {"greek"}),
    ("βραχ", {"greek"}),
    ("istanbul", {"turkish"}),
    ("İSTANBUL", {"turkish"}),
    ("file", {"ligature"}),
    ("ﬁle", {"ligature"}),
    ("abc", {"fullwidth"}),
    (FULLWIDTH_ABC, {"fullwidth"}),
    ("full", {"fullwidth"}),
    # CJK: a run of ideographs and kana is one word, found by its start only
    ("会議", {"japanese"}),
    ("会議の議事録", {"japanese"}),
    ("議事録", set()),
    ("東京", {"japanese"}),
    ("中文", {"chinese"}),
    ("学习", {"chinese"}),
    # digits, and punctuation inside words, which splits them
    ("2024", {"invoice"}),
    ("001", {"invoice"}),
    ("2024-001", {"invoice"}),
    ("024", set()),
    ("15", {"invoice"}),
    ("2025", {"budget_in_body"}),
    ("don't", {"apostrophe"}),
    ("DON'T PANIC", {"apostrophe"}),
    ("don", {"apostrophe"}),
    ("dont", set()),  # "Don't" is the words "don" and "t"
    ("e-mail", {"hyphen"}),
    ("email", {"email"}),
    ("e mail", {"hyphen"}),
    ("mail", {"hyphen"}),
    ("e", {"hyphen", "email", "cafe_shouting"}),
    # no match
    ("zebra", set()),
    ("cafe zebra", set()),
]


async def search(client: httpx.AsyncClient, user: User, q: str, **params: Any) -> httpx.Response:
    return await client.get("/notes", params={"q": q, **params}, headers=user.headers)


async def found_ids(client: httpx.AsyncClient, user: User, q: str, **params: Any) -> list[str]:
    response = await search(client, user, q, limit=100, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"]), body
    return [item["id"] for item in body["items"]]


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


@pytest.fixture
async def bob(app: FastAPI) -> User:
    return await token_user(app)


class Corpus:
    def __init__(self, user: User, ids: dict[str, str]) -> None:
        self.user = user
        self.ids = ids
        self.keys = {note_id: key for key, note_id in ids.items()}


@pytest.fixture(scope="module")
async def corpus(app: FastAPI) -> AsyncIterator[Corpus]:
    """The corpus, created once per engine, owned by one user."""
    owner = await token_user(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        ids = {}
        for key, (title, content) in CORPUS.items():
            ids[key] = (await make_note(client, owner, title=title, content=content))["id"]
        yield Corpus(owner, ids)


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


class TestSearchIsolation:
    async def test_another_users_matching_notes_never_appear(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        word = f"shared{secrets.token_hex(4)}"
        alices = {(await make_note(client, alice, title=f"{word} alice"))["id"]}
        bobs = {(await make_note(client, bob, title=f"{word} bob", content=word))["id"]}
        assert set(await found_ids(client, alice, word)) == alices
        assert set(await found_ids(client, bob, word)) == bobs
        assert await found_ids(client, alice, f"{word} bob") == []


class TestSearchFollowsChanges:
    async def test_a_patched_title_is_found_by_its_new_words_only(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Old heading", content="body text")
        response = await client.patch(
            f"/notes/{note['id']}", json={"title": "Fresh heading"}, headers=alice.headers
        )
        assert response.status_code == 200, response.text
        assert await found_ids(client, alice, "old") == []
        assert await found_ids(client, alice, "fresh") == [note["id"]]
        assert await found_ids(client, alice, "body") == [note["id"]]

    async def test_patched_content_is_found_by_its_new_words_only(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Heading", content="pineapple")
        response = await client.patch(
            f"/notes/{note['id']}", json={"content": "watermelon"}, headers=alice.headers
        )
        assert response.status_code == 200, response.text
        assert await found_ids(client, alice, "pineapple") == []
        assert await found_ids(client, alice, "water") == [note["id"]]

    async def test_a_replaced_note_is_found_by_its_new_words_only(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Kiwi", content="lemon")
        response = await client.put(
            f"/notes/{note['id']}", json={"title": "Grape", "content": ""}, headers=alice.headers
        )
        assert response.status_code == 200, response.text
        assert await found_ids(client, alice, "kiwi") == []
        assert await found_ids(client, alice, "lemon") == []
        assert await found_ids(client, alice, "grape") == [note["id"]]

    async def test_a_deleted_note_is_no_longer_found(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Ephemeral", content="")
        kept = await make_note(client, alice, title="Ephemeral too", content="")
        response = await client.delete(f"/notes/{note['id']}", headers=alice.headers)
        assert response.status_code == 204
        assert await found_ids(client, alice, "ephemeral") == [kept["id"]]


# Taken as text: every one answers 200 and finds only the caller's notes.
HOSTILE_QUERIES = [
    '"',
    "'",
    "''",
    '"unterminated',
    "'; DROP TABLE note; --",
    "' OR '1'='1",
    '" OR 1=1 --',
    "1; SELECT * FROM note",
    "') OR ('a'='a",
    "*",
    "a*",
    "*a",
    "-",
    "-salt",
    "salt -pepper",
    ":",
    "title:salt",
    "search_title:salt",
    "note_fts:salt",
    "(",
    ")",
    "(salt",
    "salt)",
    "NEAR",
    "NEAR(salt pepper)",
    "salt NEAR pepper",
    "AND",
    "OR",
    "NOT",
    "salt AND",
    "OR salt",
    "NOT salt",
    "salt OR pepper",
    "&",
    "|",
    "!",
    "!salt",
    "<->",
    "salt <-> pepper",
    "salt & pepper",
    "salt | pepper",
    "salt:*",
    "salt:A",
    "\\",
    "\\'",
    "%",
    "_",
    "%salt%",
    "s_lt",
    "^salt",
    "+salt",
    "{salt}",
    "[salt]",
    "$$ salt $$",
    "E'\\x27'",
    "🙂",
    "🙂 salt 🧂",
    "salt\u200bpepper",
    "\u202esalt",
    "\t\n\r",
    " ",
    "a" * 200,
    "㍿" * 200,
    "ﷺ" * 200,
    " ".join(["salt"] * 40),
    " ".join(f"w{n}" for n in range(50)),
]


@pytest.fixture(scope="module")
async def hostile_owners(app: FastAPI) -> AsyncIterator[tuple[User, set[str], User]]:
    """A user with a few notes, and another whose notes hold every hostile word."""
    caller, other = await token_user(app), await token_user(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        own = {
            (await make_note(client, caller, title="Salt and pepper", content="near"))["id"],
            (await make_note(client, caller, title="Not today", content="or tomorrow"))["id"],
        }
        for query in HOSTILE_QUERIES[:60]:
            await make_note(client, other, title="Salt and pepper", content=query)
        yield caller, own, other


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


# Tasks search the same way over title and description (API.md §3, §4).


async def task_ids(
    client: httpx.AsyncClient, user: User, q: str, path: str = "/tasks", **params: Any
) -> list[str]:
    response = await client.get(path, params={"q": q, "limit": 100, **params}, headers=user.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"]), body
    return [item["id"] for item in body["items"]]


@pytest.fixture(scope="module")
async def task_corpus(app: FastAPI) -> AsyncIterator[Corpus]:
    """The notes' corpus as tasks: the content becomes the description (or null)."""
    owner = await token_user(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        ids = {}
        for key, (title, content) in CORPUS.items():
            task = await make_task(client, owner, title=title, description=content or None)
            ids[key] = task["id"]
        yield Corpus(owner, ids)


class TestTaskSearch:
    @pytest.mark.parametrize(("q", "expected"), MATCHING_CASES, ids=[q for q, _ in MATCHING_CASES])
    async def test_finds_exactly_the_tasks_the_notes_table_expects(
        self, client: httpx.AsyncClient, task_corpus: Corpus, q: str, expected: set[str]
    ) -> None:
        ids = await task_ids(client, task_corpus.user, q)
        assert {task_corpus.keys[task_id] for task_id in ids} == expected

    async def test_the_user_scoped_path_finds_the_same_tasks(
        self, client: httpx.AsyncClient, task_corpus: Corpus
    ) -> None:
        user = task_corpus.user
        for q in ("cafe", "quart rev", "zebra"):
            scoped = await task_ids(client, user, q, path=f"/api/{user.id}/tasks")
            assert scoped == await task_ids(client, user, q)

    async def test_a_title_match_ranks_above_a_description_match(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        in_description = await make_task(client, alice, title="Plan", description="the budget")
        in_title = await make_task(client, alice, title="Budget", description=None)
        assert await task_ids(client, alice, "budget") == [in_title["id"], in_description["id"]]

    async def test_q_combines_with_the_status_filter_and_an_explicit_sort(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        done = await make_task(client, alice, title="Report b", completed=True)
        open_ = await make_task(client, alice, title="Report a")
        await make_task(client, alice, title="Other", completed=True)
        assert await task_ids(client, alice, "report", status="completed") == [done["id"]]
        assert await task_ids(client, alice, "report", status="pending") == [open_["id"]]
        assert await task_ids(client, alice, "report", sort="title") == [open_["id"], done["id"]]

    async def test_changes_re_index_and_a_null_description_clears_its_words(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        task = await make_task(client, alice, title="Old chore", description="pineapple")
        path = f"/tasks/{task['id']}"
        patched = await client.patch(
            path, json={"title": "New chore", "description": None}, headers=alice.headers
        )
        assert patched.status_code == 200, patched.text
        assert await task_ids(client, alice, "old") == []
        assert await task_ids(client, alice, "pineapple") == []
        assert await task_ids(client, alice, "new chore") == [task["id"]]
        assert (await client.delete(path, headers=alice.headers)).status_code == 204
        assert await task_ids(client, alice, "chore") == []

    async def test_another_users_tasks_never_appear(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        word = f"shared{secrets.token_hex(4)}"
        mine = await make_task(client, alice, title=word)
        await make_task(client, bob, title=word, description=word)
        assert await task_ids(client, alice, word) == [mine["id"]]

    async def test_hostile_queries_are_text_and_never_cross_users(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        mine = {(await make_task(client, alice, title="Salt and pepper"))["id"]}
        for query in HOSTILE_QUERIES[:40]:
            await make_task(client, bob, title="Salt and pepper", description=query[:1000])
        for query in HOSTILE_QUERIES:
            assert set(await task_ids(client, alice, query)) <= mine, query
        for query in ("", "\x00", "a" * 201):
            response = await client.get("/tasks", params={"q": query}, headers=alice.headers)
            assert response.status_code == 422, response.text
            assert response.json()["field"] == "query.q"
