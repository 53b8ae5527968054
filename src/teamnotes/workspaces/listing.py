"""A page of a workspace's items as its list answers it, straight on the driver.

The lists without a search are the second-hottest reads. Through a session, a page
of 20 spends most of its time validating each row into its model, then the page
into its envelope a second time on the way out. Here the statement for each shape
of request (whose workspace, through which credential, which filter and order) is
built once with every value a bound parameter, run by `kit.direct` in one round
trip, and its rows become the JSON values of the items without a model.

A search, a key bound to another workspace, and an empty page (which must tell a
stranger's 404 from an empty list) take the session's way (`Pages._in_session`).
"""

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import Database
from teamnotes.kit.pagination import Page, PageParams
from teamnotes.kit.search import Search
from teamnotes.workspaces import gate
from teamnotes.workspaces.gate import Access
from teamnotes.workspaces.items import WorkspaceItems

# (personal workspace?, API key?, filtered column or None, sort)
Shape = tuple[bool, bool, str | None, str]


class Pages:
    """The direct pages of one kind of item."""

    def __init__(self, items: WorkspaceItems[Any]) -> None:
        self.items = items
        self._statements: dict[Shape, Select[Any]] = {}

    def statement(self, shape: Shape) -> Select[Any]:
        """The page's statement for one shape, built once (kit.direct compiles it once)."""
        found = self._statements.get(shape)
        if found is not None:
            return found
        personal, keyed, filtered, sort = shape
        items = self.items
        conditions = [
            items.c.workspace_id == gate.WORKSPACE,
            items.live,
            *gate.admitting(personal, "viewer", keyed),
        ]
        if filtered is not None:
            conditions.append(items.c[filtered] == bindparam("filtered"))
        # The total as a subquery the database runs once, not a window over the rows:
        # a window makes both engines build and sort every matching row, where the
        # page alone walks an index and stops after `limit`.
        total = (
            select(func.count())
            .select_from(items.table)
            .where(*conditions)
            .correlate(None)
            .scalar_subquery()
            .label("_total")
        )
        statement = (
            select(*items.columns, total)
            .where(*conditions)
            .order_by(*items.order(sort))
            .limit(bindparam("limit", type_=Integer))
            .offset(bindparam("offset", type_=BigInteger))
        )
        self._statements[shape] = statement
        return statement

    async def page_json(
        self,
        database: Database,
        session: AsyncSession,
        *,
        access: Access,
        page: PageParams,
        sort: str | None,
        filtered: tuple[str, object] | None = None,
        search: Search | None = None,
    ) -> dict[str, Any]:
        """The page's JSON values: `{"items", "total", "limit", "offset"}`."""
        direct = database.direct
        if direct is not None and search is None and sort is not None and self.admits(access):
            keyed = access.principal.key is not None
            filter_name, filter_value = filtered or (None, None)
            rows = await direct.fetch(
                self.statement((access.personal, keyed, filter_name, sort)),
                {
                    **gate.caller_parameters(access),
                    "filtered": filter_value,
                    "limit": page.limit,
                    "offset": page.offset,
                },
            )
            if rows:
                encode = self.items.encoder(direct.dialect.name)
                return {
                    "items": [encode(row) for row in rows],
                    "total": rows[0][-1],
                    "limit": page.limit,
                    "offset": page.offset,
                }
        where = None if filtered is None else self.items.c[filtered[0]] == filtered[1]
        found = await self._in_session(
            session, access=access, page=page, sort=sort, where=where, search=search
        )
        return found.model_dump(mode="json")

    async def _in_session(
        self,
        session: AsyncSession,
        *,
        access: Access,
        page: PageParams,
        sort: str | None,
        where: ColumnElement[bool] | None = None,
        search: Search | None = None,
    ) -> Page[Any]:
        """One page and the total in one round trip (a window count beside each row).

        `sort` names a column, `-` first for descending; the id breaks ties in the
        same direction, so paging walks a total order. Nulls come last either way.
        With a search and no sort, rows come by relevance, then id.
        """
        items = self.items
        statement = items.in_workspace(access)
        if where is not None:
            statement = statement.where(where)
        if search is not None:
            statement = search.apply(statement, access.workspace_id)
        if sort is not None:
            order = items.order(sort)
        elif search is not None:
            order = (search.rank(), items.id.asc())
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
        else:
            # Nothing to show: make sure the caller may look before saying so.
            await gate.explain(session, access)
            counted = statement.with_only_columns(func.count()).order_by(None)
            total = 0 if page.offset == 0 else (await session.execute(counted)).scalar_one()
        return Page(
            items=[items.as_read(row) for row in rows],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )

    @staticmethod
    def admits(access: Access) -> bool:
        """Whether the direct statement's conditions are the gate's for this caller:
        a reader, through no key limited to another workspace."""
        return access.role == "viewer" and not gate.bound_elsewhere(access)
