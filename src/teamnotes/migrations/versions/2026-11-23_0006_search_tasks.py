"""Full-text search over tasks (title and description), as 0004 did for notes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from teamnotes.migrations.search import create_search_index, drop_search_index, fill_search_columns

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.add_column(sa.Column("search_title", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("search_body", sa.Text(), server_default="", nullable=False))
    fill_search_columns("task", title="title", body="description")
    create_search_index("task")


def downgrade() -> None:
    drop_search_index("task")
    with op.batch_alter_table("task") as batch:
        batch.drop_column("search_body")
        batch.drop_column("search_title")
