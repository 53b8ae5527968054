"""The column types of revisions 0001 to 0003 and 0005, frozen as the DDL they emit.

A migration must create the same columns whenever it runs, so it may not take its
types from the models' module, where a type can change later (the models' drift
check then asks for a new migration instead). Only the DDL matters here: the
conversions of teamnotes.kit.db.UTCDateTime apply to the values the models move.
"""

import sqlalchemy as sa


def utc_datetime() -> sa.DateTime:
    """kit.db.UTCDateTime's column: a timestamp with time zone (SQLite keeps no offset)."""
    return sa.DateTime(timezone=True)


def sortable_text(length: int) -> sa.String:
    """Text that sorts by code point on both engines (SQLite's BINARY, PostgreSQL's "C")."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")
