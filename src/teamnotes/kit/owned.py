"""Owner-scoped statements shared by notes and tasks.

Every read and write of a user's rows goes through `OwnedRows`, so a row of another
user is simply not found, exactly like one that does not exist: there is no separate
"is it yours?" check to forget. Reads select columns and map rows straight onto the
response schema, one round trip each.
"""

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    bindparam,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import Base
from teamnotes.kit.errors import NotFound, PreconditionFailed
from teamnotes.kit.ids import parse_id
from teamnotes.kit.pagination import Page, PageParams
from teamnotes.kit.search import Search

ReadT = TypeVar("ReadT", bound=BaseModel)


class OwnedRows(Generic[ReadT]):
    def __init__(self, model: type[Base], read: type[ReadT], not_found: type[NotFound]) -> None:
        self.model = model
        self.read = read
        self.not_found = not_found
        self.table = cast(Table, model.__table__)
        # Labelled with the schema's field names: a column may be stored under another
        # name (a task's `order`, a reserved word, is the column `position`).
        self.columns = [self.table.c[name].label(name) for name in read.model_fields]
        self.id = self.table.c.id
        self.owner_id = self.table.c.owner_id
        self.version = self.table.c.version
        # The hottest read, built once: SQLAlchemy then reuses its cache key as well
        # as its compiled form, instead of rebuilding both for every request.
        self._get_one = select(*self.columns).where(
            self.owner_id == bindparam("owner_id"), self.id == bindparam("item_id")
        )

    def owned(self, owner_id: str) -> Select[Any]:
        """The columns of the response schema, for this owner's rows only."""
        return select(*self.columns).where(self.owner_id == owner_id)

    def _row(self, row: Any) -> ReadT:
        return self.read.model_validate(row._mapping)

    def _id(self, item_id: str) -> uuid.UUID:
        parsed = parse_id(item_id)
        if parsed is None:
            raise self.not_found()
        return parsed

    async def get(self, session: AsyncSession, *, owner_id: str, item_id: str) -> ReadT:
        parameters = {"owner_id": owner_id, "item_id": self._id(item_id)}
        row = (await session.execute(self._get_one, parameters)).one_or_none()
        if row is None:
            raise self.not_found()
        return self._row(row)

    async def page(
        self,
        session: AsyncSession,
        *,
        owner_id: str,
        page: PageParams,
        sort: str | None,
        where: ColumnElement[bool] | None = None,
        search: Search | None = None,
    ) -> Page[ReadT]:
        """One page and the total in one round trip (a window count beside each row).

        `sort` names a column, `-` first for descending; the id breaks ties in the
        same direction, so paging walks a total order. Nulls come last either way.
        With a search and no sort, rows come by relevance, then id.
        """
        statement = self.owned(owner_id)
        if where is not None:
            statement = statement.where(where)
        if search is not None:
            statement = search.apply(statement)
        if sort is not None:
            order = self._order(sort)
        elif search is not None:
            order = (search.rank(), self.id.asc())
        else:
            raise ValueError("a page needs a sort order or a search")
        rows = (
            await session.execute(
                statement.add_columns(func.count().over().label("_total"))
                .order_by(*order)
                .limit(page.limit)
                .offset(page.offset)
            )
        ).all()
        if rows:
            total = rows[0]._total
        elif page.offset == 0:
            total = 0
        else:  # past the end: no row carries the count
            counted = statement.with_only_columns(func.count()).order_by(None)
            total = (await session.execute(counted)).scalar_one()
        return Page(
            items=[self._row(row) for row in rows],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )

    def _order(self, sort: str) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
        descending = sort.startswith("-")
        column = self.table.c[sort.removeprefix("-")]
        key = column.desc() if descending else column.asc()
        if column.nullable:
            key = key.nulls_last()
        return key, self.id.desc() if descending else self.id.asc()

    async def insert(self, session: AsyncSession, *, values: Mapping[str, Any]) -> ReadT:
        statement = insert(self.table).values(**values).returning(*self.columns)
        return self._row((await session.execute(statement)).one())

    async def update(
        self,
        session: AsyncSession,
        *,
        owner_id: str,
        item_id: str,
        changes: Mapping[str, Any],
        expected_version: int | None,
        now: datetime,
        derived: Mapping[str, Any] | None = None,
        changed: ColumnElement[bool] | None = None,
    ) -> ReadT:
        """Apply `changes` (and what follows from them, `derived`) in one conditional
        UPDATE. Version and updated_at move only when something changes: by default
        when any of `changes` differs from the row.

        Zero rows updated means: not found, a stale If-Match (412), or nothing to
        change; one read of the row tells which.
        """
        key = self._id(item_id)
        if changed is None:
            changed = or_(
                false(),
                *(self.table.c[name].is_distinct_from(value) for name, value in changes.items()),
            )
        conditions = [self.id == key, self.owner_id == owner_id, changed]
        if expected_version is not None:
            conditions.append(self.version == expected_version)
        statement = (
            update(self.table)
            .where(*conditions)
            .values(**changes, **(derived or {}), updated_at=now, version=self.version + 1)
            .returning(*self.columns)
        )
        row = (await session.execute(statement)).one_or_none()
        if row is not None:
            return self._row(row)
        current = await self.get(session, owner_id=owner_id, item_id=item_id)
        if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
            raise PreconditionFailed()
        return current

    async def delete(
        self, session: AsyncSession, *, owner_id: str, item_id: str, expected_version: int | None
    ) -> None:
        key = self._id(item_id)
        conditions = [self.id == key, self.owner_id == owner_id]
        if expected_version is not None:
            conditions.append(self.version == expected_version)
        statement = delete(self.table).where(*conditions).returning(self.id)
        if (await session.execute(statement)).one_or_none() is None:
            await self.get(session, owner_id=owner_id, item_id=item_id)  # 404 when gone
            raise PreconditionFailed()
