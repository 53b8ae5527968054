"""Migration steps for teamnotes.kit.search, shared by every searchable table."""

import sqlalchemy as sa
from alembic import op

from teamnotes.kit.search import document

_BATCH = 500


def fill_search_columns(table_name: str, *, title: str, body: str) -> None:
    """Compute the search words of the rows already in the table."""
    bind = op.get_bind()
    table = sa.table(
        table_name,
        sa.column("id"),
        sa.column(title),
        sa.column(body),
        sa.column("search_title"),
        sa.column("search_body"),
    )
    rows = bind.execute(sa.select(table.c.id, table.c[title], table.c[body])).all()
    for start in range(0, len(rows), _BATCH):
        for row in rows[start : start + _BATCH]:
            bind.execute(
                table.update()
                .where(table.c.id == row.id)
                .values(search_title=document(row[1]), search_body=document(row[2] or ""))
            )


def create_search_index(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX ix_{table}_search ON {table} USING gin "
            f"(array_to_tsvector(array_remove(string_to_array("
            f"search_title || ' ' || search_body, ' '), '')))"
        )
        return
    fts = f"{table}_fts"
    columns = "search_title, search_body"
    new_values = "new.rowid, new.search_title, new.search_body"
    old_values = "old.rowid, old.search_title, old.search_body"
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({columns}, content='{table}', "
        f"content_rowid='rowid', tokenize='unicode61 remove_diacritics 0')"
    )
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
    op.execute(
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, {columns}) VALUES ({new_values}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', {old_values}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {columns} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', {old_values}); "
        f"INSERT INTO {fts}(rowid, {columns}) VALUES ({new_values}); END"
    )


def drop_search_index(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX ix_{table}_search")
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER {table}_fts_{trigger}")
    op.execute(f"DROP TABLE {table}_fts")
