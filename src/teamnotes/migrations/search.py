"""Migration steps for teamnotes.kit.search, shared by every searchable table.

A step, once a revision uses it, builds what it built then: a later design is a
new step (revision 0008 keys SQLite's index by `search_key` where 0004 and 0006
followed the rowid), so that old revisions, and downgrades to them, stay what they were.
"""

import sqlalchemy as sa
from alembic import op

from teamnotes.migrations.normaliser_v1 import document

_BATCH = 500
_COLUMNS = "search_title, search_body"
_TOKENIZER = "tokenize='unicode61 remove_diacritics 0'"


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
    """Revisions 0004 and 0006: on SQLite, an FTS5 table that follows the rowid."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX ix_{table}_search ON {table} USING gin "
            f"(array_to_tsvector(array_remove(string_to_array("
            f"search_title || ' ' || search_body, ' '), '')))"
        )
        return
    _create_fts(table, key="rowid")
    _create_triggers(table, key="rowid")


def drop_search_index(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX ix_{table}_search")
        return
    _drop_fts(table)


def key_search_index(table: str) -> None:
    """Revision 0008, SQLite only: the FTS5 table follows `search_key` instead.

    The rowid of a table without an INTEGER PRIMARY KEY is SQLite's to renumber: a
    table rebuild (a batch migration) hands it out afresh, and `VACUUM` may. The key
    is a column of the row, which every copy of the row keeps; the insert trigger
    gives a new row the next one, and the unique index finds a row by it.
    """
    _drop_fts(table)
    op.execute(f"ALTER TABLE {table} ADD COLUMN search_key INTEGER")
    op.execute(f"UPDATE {table} SET search_key = rowid")
    op.execute(f"CREATE UNIQUE INDEX uq_{table}_search_key ON {table} (search_key)")
    _create_fts(table, key="search_key")
    create_search_triggers(table)


def unkey_search_index(table: str) -> None:
    """Undo key_search_index: back to revision 0006's index on the rowid."""
    _drop_fts(table)
    op.execute(f"DROP INDEX uq_{table}_search_key")
    with op.batch_alter_table(table) as batch:
        batch.drop_column("search_key")
    _create_fts(table, key="rowid")
    _create_triggers(table, key="rowid")


def create_search_triggers(table: str) -> None:
    """The triggers that keep `table`'s FTS5 index in step, keyed by `search_key`.

    A batch migration that rebuilds a searchable table drops its triggers with the
    old table: it must call this afterwards (the key column survives the copy).
    """
    fts = f"{table}_fts"
    op.execute(
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"UPDATE {table} SET search_key = "
        f"(SELECT coalesce(max(search_key), 0) + 1 FROM {table}) "
        f"WHERE id = new.id AND search_key IS NULL; "
        f"INSERT INTO {fts}(rowid, {_COLUMNS}) "
        f"SELECT search_key, {_COLUMNS} FROM {table} WHERE id = new.id; END"
    )
    _create_triggers(table, key="search_key", insert=False)


def restore_search_triggers(table: str) -> None:
    """After a batch migration rebuilt `table`: its FTS5 triggers again (SQLite only).

    The index itself follows `search_key`, which the rebuilt table kept, so it stays.
    """
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{trigger}")
    create_search_triggers(table)


def _create_fts(table: str, *, key: str) -> None:
    fts = f"{table}_fts"
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({_COLUMNS}, content='{table}', "
        f"content_rowid='{key}', {_TOKENIZER})"
    )
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _create_triggers(table: str, *, key: str, insert: bool = True) -> None:
    fts = f"{table}_fts"
    new_values = f"new.{key}, new.search_title, new.search_body"
    old_values = f"old.{key}, old.search_title, old.search_body"
    if insert:
        op.execute(
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, {_COLUMNS}) VALUES ({new_values}); END"
        )
    op.execute(
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {_COLUMNS}) VALUES ('delete', {old_values}); END"
    )
    # Not of search_key: the insert trigger sets it on a row not yet in the index.
    op.execute(
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {_COLUMNS} ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {_COLUMNS}) VALUES ('delete', {old_values}); "
        f"INSERT INTO {fts}(rowid, {_COLUMNS}) VALUES ({new_values}); END"
    )


def _drop_fts(table: str) -> None:
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER {table}_fts_{trigger}")
    op.execute(f"DROP TABLE {table}_fts")
