"""Full-text search over notes: the words beside each row, indexed per engine.

SQLite: an FTS5 table over note's search columns (external content, kept in step by
triggers). PostgreSQL: a GIN index over the same words as a tsvector. See
teamnotes.kit.search for why the words are made in Python.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from teamnotes.migrations.search import create_search_index, drop_search_index, fill_search_columns

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("note") as batch:
        batch.add_column(sa.Column("search_title", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("search_body", sa.Text(), server_default="", nullable=False))
    fill_search_columns("note", title="title", body="content")
    create_search_index("note")


def downgrade() -> None:
    drop_search_index("note")
    with op.batch_alter_table("note") as batch:
        batch.drop_column("search_body")
        batch.drop_column("search_title")
