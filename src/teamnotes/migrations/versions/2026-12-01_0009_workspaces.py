"""Workspaces: every note and task moves into its owner's personal workspace.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from teamnotes.migrations.search import restore_search_triggers
from teamnotes.migrations.types_v1 import sortable_text, utc_datetime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: the application derives personal workspace ids the same way
# (teamnotes.workspaces.gate.personal_workspace_id; a test holds the two equal).
PERSONAL_NAMESPACE = uuid.UUID("6f3c0c1e-64a4-5d0b-9a3e-7e2b1f6d4c21")
ITEMS = ("note", "task")
_LIVE = sa.text("deleted_at IS NULL")
_INDEXES = {
    "note": {"updated": ["updated_at"], "created": ["created_at"], "title": ["title"]},
    "task": {
        "order": ["position"],
        "completed_order": ["completed", "position"],
        "created": ["created_at"],
        "updated": ["updated_at"],
        "title": ["title"],
        "due": ["due_at"],
    },
}


def personal(user_id: str) -> uuid.UUID:
    return uuid.uuid5(PERSONAL_NAMESPACE, user_id)


def upgrade() -> None:
    _create_tables()
    with op.batch_alter_table("external_user") as batch:
        batch.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("display_name", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("deleted_at", utc_datetime(), nullable=True))
    for table in ITEMS:
        for name in _INDEXES[table]:
            op.drop_index(f"ix_{table}_owner_{name}", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("workspace_id", sa.Uuid(), nullable=True))
            batch.add_column(sa.Column("created_by", sa.String(length=255), nullable=True))
            batch.add_column(sa.Column("updated_by", sa.String(length=255), nullable=True))
            batch.add_column(sa.Column("change_seq", sa.BigInteger(), nullable=True))
            batch.add_column(sa.Column("deleted_at", utc_datetime(), nullable=True))
            batch.add_column(sa.Column("deleted_by", sa.String(length=255), nullable=True))
    with op.batch_alter_table("idempotency_key") as batch:
        batch.add_column(sa.Column("workspace_id", sa.Uuid(), nullable=True))
    _move_into_personal_workspaces()
    for table in ITEMS:
        with op.batch_alter_table(table) as batch:
            for column in ("workspace_id", "created_by", "updated_by", "change_seq"):
                batch.alter_column(column, nullable=False)
            batch.drop_column("owner_id")
            batch.create_foreign_key(
                f"fk_{table}_workspace_id_workspace",
                "workspace",
                ["workspace_id"],
                ["id"],
                ondelete="CASCADE",
            )
        for name, columns in _INDEXES[table].items():
            op.create_index(
                f"ix_{table}_workspace_{name}",
                table,
                ["workspace_id", *columns, "id"],
                sqlite_where=_LIVE,
                postgresql_where=_LIVE,
            )
        op.create_index(f"ix_{table}_workspace_change", table, ["workspace_id", "change_seq"])
        restore_search_triggers(table)
    _create_public_links()
    with op.batch_alter_table("idempotency_key") as batch:
        batch.alter_column("workspace_id", nullable=False)
        batch.drop_constraint("pk_idempotency_key", type_="primary")
        batch.create_primary_key("pk_idempotency_key", ["owner_id", "workspace_id", "key"])


def _create_tables() -> None:
    op.create_table(
        "workspace",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sortable_text(100), nullable=False),
        sa.Column("personal_owner_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", utc_datetime(), nullable=False),
        sa.Column("updated_at", utc_datetime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace")),
        sa.UniqueConstraint("personal_owner_id", name=op.f("uq_workspace_personal_owner_id")),
    )
    op.create_table(
        "membership",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("joined_at", utc_datetime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_membership_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "user_id", name=op.f("pk_membership")),
    )
    op.create_index("ix_membership_user_id", "membership", ["user_id"])
    op.create_table(
        "invitation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", utc_datetime(), nullable=False),
        sa.Column("expires_at", utc_datetime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_invitation_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )
    op.create_index("ix_invitation_workspace_created", "invitation", ["workspace_id", "created_at"])


def _create_public_links() -> None:
    op.create_table(
        "public_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", utc_datetime(), nullable=False),
        sa.Column("expires_at", utc_datetime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_public_link_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["note.id"], name=op.f("fk_public_link_note_id_note"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_link")),
        sa.UniqueConstraint("token", name=op.f("uq_public_link_token")),
    )
    op.create_index("ix_public_link_note_created", "public_link", ["note_id", "created_at"])


def _move_into_personal_workspaces() -> None:
    """A personal workspace for every user known, and their items in it, numbered
    along the new change feed oldest change first."""
    bind = op.get_bind()
    users = sa.table(
        "auth_user", sa.column("id", sa.Uuid()), sa.column("created_at", utc_datetime())
    )
    external = sa.table(
        "external_user", sa.column("id", sa.String()), sa.column("first_seen_at", utc_datetime())
    )
    since = {str(row.id): row.created_at for row in bind.execute(sa.select(users))}
    since |= {row.id: row.first_seen_at for row in bind.execute(sa.select(external))}
    for table in (*ITEMS, "idempotency_key"):
        owners = sa.table(table, sa.column("owner_id", sa.String()))
        for (owner,) in bind.execute(sa.select(owners.c.owner_id).distinct()):
            since.setdefault(owner, datetime.now(UTC))
    workspace = sa.table(
        "workspace",
        sa.column("id", sa.Uuid()),
        *(sa.column(name) for name in ("name", "personal_owner_id", "version")),
        sa.column("created_at", utc_datetime()),
        sa.column("updated_at", utc_datetime()),
        sa.column("change_seq", sa.BigInteger()),
    )
    membership = sa.table(
        "membership",
        sa.column("workspace_id", sa.Uuid()),
        sa.column("user_id", sa.String()),
        sa.column("role", sa.String()),
        sa.column("joined_at", utc_datetime()),
    )
    for user_id, moment in since.items():
        positions = _move_items(user_id)
        bind.execute(
            workspace.insert().values(
                id=personal(user_id),
                name="Personal",
                personal_owner_id=user_id,
                created_at=moment,
                updated_at=moment,
                version=1,
                change_seq=positions,
            )
        )
        bind.execute(
            membership.insert().values(
                workspace_id=personal(user_id), user_id=user_id, role="owner", joined_at=moment
            )
        )


def _move_items(user_id: str) -> int:
    """Move one user's items and keys; the last feed position handed out."""
    bind = op.get_bind()
    position = 0
    for table in ITEMS:
        items = sa.table(
            table,
            sa.column("id", sa.Uuid()),
            sa.column("owner_id", sa.String()),
            sa.column("updated_at", utc_datetime()),
            sa.column("workspace_id", sa.Uuid()),
            sa.column("created_by", sa.String()),
            sa.column("updated_by", sa.String()),
            sa.column("change_seq", sa.BigInteger()),
        )
        ids = bind.execute(
            sa.select(items.c.id)
            .where(items.c.owner_id == user_id)
            .order_by(items.c.updated_at, items.c.id)
        ).scalars()
        for item_id in ids:
            position += 1
            bind.execute(
                items.update()
                .where(items.c.id == item_id)
                .values(
                    workspace_id=personal(user_id),
                    created_by=user_id,
                    updated_by=user_id,
                    change_seq=position,
                )
            )
    keys = sa.table(
        "idempotency_key", sa.column("owner_id", sa.String()), sa.column("workspace_id", sa.Uuid())
    )
    bind.execute(
        keys.update().where(keys.c.owner_id == user_id).values(workspace_id=personal(user_id))
    )
    return position


def downgrade() -> None:
    bind = op.get_bind()
    op.drop_table("public_link")
    with op.batch_alter_table("idempotency_key") as batch:
        batch.drop_constraint("pk_idempotency_key", type_="primary")
        batch.create_primary_key("pk_idempotency_key", ["owner_id", "key"])
        batch.drop_column("workspace_id")
    for table in ITEMS:
        op.drop_index(f"ix_{table}_workspace_change", table_name=table)
        for name in _INDEXES[table]:
            op.drop_index(f"ix_{table}_workspace_{name}", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("owner_id", sa.String(length=255), nullable=True))
        # Each item goes back to its author: a personal workspace's owner, or in a
        # team workspace whoever created it. The trash is emptied.
        bind.execute(sa.text(f"DELETE FROM {table} WHERE deleted_at IS NOT NULL"))
        bind.execute(sa.text(f"UPDATE {table} SET owner_id = created_by"))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("owner_id", nullable=False)
            batch.drop_constraint(f"fk_{table}_workspace_id_workspace", type_="foreignkey")
            for column in (
                "deleted_by",
                "deleted_at",
                "change_seq",
                "updated_by",
                "created_by",
                "workspace_id",
            ):
                batch.drop_column(column)
        for name, columns in _INDEXES[table].items():
            op.create_index(f"ix_{table}_owner_{name}", table, ["owner_id", *columns, "id"])
        restore_search_triggers(table)
    with op.batch_alter_table("external_user") as batch:
        for column in ("deleted_at", "display_name", "email"):
            batch.drop_column(column)
    op.drop_table("invitation")
    op.drop_table("membership")
    op.drop_table("workspace")
