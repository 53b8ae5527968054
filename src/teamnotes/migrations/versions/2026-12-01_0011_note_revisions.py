"""Revisions of notes: every note's current version becomes its first kept revision.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from teamnotes.migrations.types_v1 import utc_datetime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "note_revision",
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("updated_at", utc_datetime(), nullable=False),
        sa.Column("updated_by", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["note.id"],
            name=op.f("fk_note_revision_note_id_note"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("note_id", "version", name=op.f("pk_note_revision")),
    )
    # Trashed notes too: restored, they come back with their history.
    op.execute(
        "INSERT INTO note_revision (note_id, version, title, content, updated_at, updated_by) "
        "SELECT id, version, title, content, updated_at, updated_by FROM note"
    )


def downgrade() -> None:
    op.drop_table("note_revision")
