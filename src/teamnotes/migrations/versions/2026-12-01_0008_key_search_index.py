"""SQLite's search index follows an explicit key column, not the rowid.

Each FTS5 table (note_fts, task_fts) gets an external-content key of its own: a
`search_key` column of the row with a unique index, which a table rebuild copies
and `VACUUM` keeps, where the rowid is SQLite's to renumber. Rebuilt with the data
in place; PostgreSQL's GIN index is on the row itself and needs nothing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

from teamnotes.migrations.search import key_search_index, unkey_search_index

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("note", "task")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in _TABLES:
            key_search_index(table)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in _TABLES:
            unkey_search_index(table)
