"""Create task.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from teamnotes.migrations.types_v1 import sortable_text, utc_datetime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.String(length=255), nullable=False),
        sa.Column("title", sortable_text(200), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False),
        # The API's `order` (a reserved word in SQL).
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("due_at", utc_datetime(), nullable=True),
        sa.Column("created_at", utc_datetime(), nullable=False),
        sa.Column("updated_at", utc_datetime(), nullable=False),
        sa.Column("completed_at", utc_datetime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    op.create_index("ix_task_owner_order", "task", ["owner_id", "position", "id"])
    op.create_index(
        "ix_task_owner_completed_order", "task", ["owner_id", "completed", "position", "id"]
    )
    op.create_index("ix_task_owner_created", "task", ["owner_id", "created_at", "id"])
    op.create_index("ix_task_owner_updated", "task", ["owner_id", "updated_at", "id"])
    op.create_index("ix_task_owner_title", "task", ["owner_id", "title", "id"])
    op.create_index("ix_task_owner_due", "task", ["owner_id", "due_at", "id"])


def downgrade() -> None:
    op.drop_table("task")
