"""Full-text search that matches the same rows on SQLite and PostgreSQL (API.md §3).

Each engine's own text parser would split and fold words its own way. So the words
are made here, once, in Python: Unicode-decomposed, stripped of accents, case-folded,
split on anything that is not a letter or a digit. They are stored beside each row
(`search_title`, `search_body`) and the engines only index them:

- SQLite: an FTS5 table over those columns (`unicode61 remove_diacritics 0`, so it
  folds nothing more), kept in step by triggers, in the row's own transaction. It
  follows each row by `search_key`, an integer column that only the migrations and
  triggers know (never the rowid, which a table rebuild renumbers).
- PostgreSQL: a GIN index over `array_to_tsvector` of the same words (taken as
  lexemes as they are: no parser, no dictionary).

A query is made of words the same way, and every word must match the start of a
word of the row: FTS5 `"word"*`, tsquery `'word':*`. The words are letters and digits
only, so no quote, operator or syntax of either engine can reach the query.

PostgreSQL bounds what it indexes (a lexeme of at most 2,047 bytes, a tsvector of at
most 1 MiB of lexemes), and decomposition can make a text longer than it was ("㍿" is
four ideographs), so words are cut to `LONGEST_WORD` code points and a text keeps its
first `LARGEST_DOCUMENT` bytes of distinct words, on both engines alike. Cutting a
query's words the same way keeps every prefix match.
"""

import functools
import operator
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    bindparam,
    case,
    cast,
    column,
    false,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from teamnotes.kit.fields import NO_NUL

_WORD = re.compile(r"[^\W_]+")

LONGEST_WORD = 500
"""Code points kept of a word: at most 2,000 bytes in UTF-8, under PostgreSQL's 2,047."""
LARGEST_DOCUMENT = 1_000_000
"""UTF-8 bytes of distinct words kept of one text: with a title's, under a tsvector's 1 MiB."""


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


@dataclass(frozen=True, slots=True)
class Search:
    """A query's match condition and relevance order, for one table on one engine."""

    table: Table
    dialect: str
    terms: list[str]

    def apply(self, statement: Select[Any], workspace_id: object) -> Select[Any]:
        """The statement (of one workspace's rows) narrowed to matching rows, with
        `relevance` to order by."""
        if not self.terms:
            return statement.where(false())  # a query with no word matches nothing
        if self.dialect == "sqlite":
            return self._apply_fts5(statement, workspace_id)
        vector = self._vector()
        return statement.where(vector.op("@@")(self._tsquery()))

    def rank(self) -> ColumnElement[Any]:
        """Relevance, best first when sorted ascending."""
        if not self.terms:
            return self.table.c.id  # nothing matches: any order will do
        if self.dialect == "sqlite":
            return literal_column("search_hits.relevance")
        # ts_rank scores every match of these lexemes (no positions, so no weights)
        # alike: rank by how many of the query's words the title matches instead, as
        # FTS5's bm25 above weighs a title word ten body words.
        title = self._vector(f"{self.table.name}.search_title")
        in_title = [
            case((title.op("@@")(self._tsquery([term])), 1), else_=0) for term in self.terms
        ]
        return -functools.reduce(operator.add, in_title)

    def _apply_fts5(self, statement: Select[Any], workspace_id: object) -> Select[Any]:
        # FTS5's bm25() only works in a query of the FTS table itself, not beside the
        # page's window count: rank the hits first (materialized, so SQLite keeps it
        # apart), then join them. A title word weighs ten body words.
        #
        # The index holds every workspace's rows. Its hits are kept to the workspace's
        # before they are ranked, so that ranking (most of a search's cost) does not
        # grow with other workspaces' data. The unary `+` keeps that a filter on the
        # hits: offered to FTS5 as a rowid constraint, SQLite would run the whole
        # match once per row of the workspace.
        fts = table(f"{self.table.name}_fts", column("rowid"))
        match = literal_column(fts.name).op("MATCH")(
            bindparam("fts_query", self._fts5_query(), unique=True)
        )
        own_key: ColumnElement[Any] = literal_column(f"{self.table.name}.search_key")
        workspace_keys = (
            select(own_key)
            .select_from(self.table)
            .where(self.table.c.workspace_id == workspace_id)
            .correlate(None)
        )
        hits = (
            select(
                fts.c.rowid.label("hit_key"),
                func.bm25(literal_column(fts.name), 10.0, 1.0).label("relevance"),
            )
            .where(match, literal_column(f"+{fts.name}.rowid").in_(workspace_keys))
            .cte("search_hits")
            .prefix_with("MATERIALIZED")
        )
        return statement.join(hits, hits.c.hit_key == own_key)

    def _fts5_query(self) -> str:
        return " AND ".join(f'"{term}"*' for term in self.terms)

    def _tsquery(self, terms: list[str] | None = None) -> ColumnElement[Any]:
        text = " & ".join(f"'{term}':*" for term in terms or self.terms)
        return cast(bindparam("ts_query", text, unique=True), TSQUERY)

    def _vector(self, columns: str | None = None) -> ColumnElement[Any]:
        # By default spelled as the GIN index of the migration is, so that it serves it.
        name = self.table.name
        columns = columns or f"{name}.search_title || ' ' || {name}.search_body"
        return literal_column(
            f"array_to_tsvector(array_remove(string_to_array({columns}, ' '), ''))"
        )


def indexed(changes: Mapping[str, Any], *, title: str, body: str) -> dict[str, str]:
    """The search columns that follow from changing these fields of a row."""
    derived = {}
    if title in changes:
        derived["search_title"] = document(changes[title])
    if body in changes:
        derived["search_body"] = document(changes[body] or "")
    return derived


def search_for(table: Table, dialect: str, query: str | None) -> Search | None:
    return None if query is None else Search(table, dialect, list(dict.fromkeys(words(query))))


SearchQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
        description="Words to find, each as the start of a word; case and accents are ignored.",
    ),
]
