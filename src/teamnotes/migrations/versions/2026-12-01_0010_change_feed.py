"""The change feed: tombstones of departed items, each workspace's horizon, and the
leases of open event streams.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from teamnotes.migrations.types_v1 import utc_datetime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("feed_horizon", sa.BigInteger(), server_default="0", nullable=False)
        )
    op.create_table(
        "change_tombstone",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", utc_datetime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_change_tombstone_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "item_id", name=op.f("pk_change_tombstone")),
    )
    op.create_index(
        "ix_change_tombstone_workspace_seq", "change_tombstone", ["workspace_id", "seq"]
    )
    op.create_table(
        "event_stream",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("process_id", sa.Uuid(), nullable=False),
        sa.Column("lease_until", utc_datetime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_stream")),
    )
    op.create_index("ix_event_stream_user_id", "event_stream", ["user_id"])
    op.create_index("ix_event_stream_process_id", "event_stream", ["process_id"])


def downgrade() -> None:
    op.drop_table("event_stream")
    op.drop_table("change_tombstone")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("feed_horizon")
