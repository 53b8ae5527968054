"""The INSERT and UPDATE of a workspace's items, built once per shape of write.

A statement built for each request costs more CPU than the database spends on it:
SQLAlchemy coerces every value into the expression, then walks the whole statement
again for its cache key, before it may reuse the compiled form. These are built once
per shape (which columns, which of them computed in SQL, with or without If-Match)
and take every plain value as a parameter, so a write runs a statement whose cache
key is already known.

A plain value travels under its column's key: an INSERT or UPDATE takes a parameter
named after a column as that column's value. The few other parameters are named apart
from every column. A computed value (an expression such as a task's next order) must
be built once too, as module-level constants are: a shape is known by its
expressions' identities, and shapes past `MOST_SHAPES` are built for each write
instead of being kept. The workspace written to is the gate's parameter
(`gate.WORKSPACE`), for those expressions too.
"""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import (
    BindParameter,
    ClauseElement,
    ColumnElement,
    Insert,
    Label,
    Table,
    Update,
    bindparam,
    false,
    insert,
    or_,
    update,
)

from teamnotes.kit.db import UTCDateTime
from teamnotes.workspaces.gate import WORKSPACE

NOW: BindParameter[Any] = bindparam("item_now", type_=UTCDateTime())
"""The write's time, for expressions computed in the statement."""
ITEM: BindParameter[Any] = bindparam("item_key")
EXPECTED: BindParameter[Any] = bindparam("item_expected_version")

MOST_SHAPES = 64

Shape = tuple[Any, ...]
StatementT = TypeVar("StatementT", Insert, Update)


def computed_apart(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """`values` split into the plain ones and the expressions computed in SQL."""
    plain: dict[str, Any] = {}
    computed: dict[str, Any] = {}
    for name, value in values.items():
        (computed if isinstance(value, ClauseElement) else plain)[name] = value
    return plain, computed


def _shape_of(computed: Mapping[str, ClauseElement]) -> Shape:
    return tuple((name, id(value)) for name, value in computed.items())


class WriteStatements:
    """The writes of one table, returning `columns` (its items as their GET shows them)."""

    def __init__(self, table: Table, columns: list[Label[Any]]) -> None:
        self.table = table
        self.columns = columns
        # Each statement holds the expressions of its shape: while it is kept, their
        # ids cannot be reused by other objects.
        self._built: dict[Shape, Insert | Update] = {}

    def inserting(self, computed: Mapping[str, ClauseElement]) -> Insert:
        """An INSERT of plain values as parameters, and `computed` ones in SQL."""
        shape = ("insert", *_shape_of(computed))
        return self._kept(
            shape, lambda: insert(self.table).values(dict(computed)).returning(*self.columns)
        )

    def updating(
        self,
        changes: Mapping[str, Any],
        computed: Mapping[str, ClauseElement],
        changed: ColumnElement[bool] | None,
        *,
        versioned: bool,
    ) -> Update:
        """A conditional UPDATE of the live item `ITEM` in `WORKSPACE` (at version
        `EXPECTED` when `versioned`) that sets the plain values given as parameters and
        `computed` ones in SQL, and moves the version. It changes the row only where
        `changed` holds; by default, where any of `changes` differs from the row: its
        plain values compared as the parameters `new_<name>` (`comparisons`)."""
        shape = (
            "update",
            tuple(changes),
            *_shape_of(computed),
            None if changed is None else id(changed),
            versioned,
        )

        def build() -> Update:
            c = self.table.c
            condition = changed
            if condition is None:
                condition = or_(
                    false(),
                    *(
                        c[name].is_distinct_from(computed.get(name, bindparam(f"new_{name}")))
                        for name in changes
                    ),
                )
            conditions = [c.id == ITEM, c.workspace_id == WORKSPACE, c.deleted_at.is_(None)]
            if versioned:
                conditions.append(c.version == EXPECTED)
            return (
                update(self.table)
                .where(*conditions, condition)
                .values({**computed, "version": c.version + 1})
                .returning(*self.columns)
            )

        return self._kept(shape, build)

    def _kept(self, shape: Shape, build: Callable[[], StatementT]) -> StatementT:
        found: StatementT | None = self._built.get(shape)  # type: ignore[assignment]
        if found is None:
            found = build()
            if len(self._built) < MOST_SHAPES:
                self._built[shape] = found
        return found


def comparisons(plain_changes: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters `updating`'s default condition compares the row with."""
    return {f"new_{name}": value for name, value in plain_changes.items()}
