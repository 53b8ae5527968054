"""Searching notes and tasks with `q` (API.md §3): the same rows on SQLite and PostgreSQL.

Matching is case- and accent-insensitive and every word of `q` must match the start
of a word of the title or content, in any order. `teamnotes.kit.search.words` decides what
a word is (letters and digits after Unicode decomposition, accents dropped, case
folded), so punctuation splits words and `ß` folds to `ss`. Every case of `cases.py` runs
on both engines against the same corpus and expects the same rows.
"""
