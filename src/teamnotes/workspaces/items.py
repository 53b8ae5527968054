"""Notes and tasks as rows of a workspace, every statement through the gate.

Reads select columns and map rows straight onto the response schema, one round
trip each; the gate's condition rides along in the statement. Writes take the
workspace's next feed position first (`gate.begin_write`), then change the row in
one conditional statement that records who made the change and at which position.
Deleting moves an item to the trash (`deleted_at`): it keeps its row and version,
and every read here leaves it out.
"""

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    bindparam,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import Base, Database, utcnow
from teamnotes.kit.direct import row_encoder
from teamnotes.kit.errors import NotFound, PreconditionFailed
from teamnotes.kit.ids import new_id, parse_id
from teamnotes.workspaces import gate
from teamnotes.workspaces.gate import Access
from teamnotes.workspaces.statements import (
    EXPECTED,
    ITEM,
    NOW,
    WriteStatements,
    comparisons,
    computed_apart,
)
from teamnotes.workspaces.written import Recorder, Written

ReadT = TypeVar("ReadT", bound=BaseModel)


class WorkspaceItems(Generic[ReadT]):
    def __init__(
        self,
        model: type[Base],
        read: type[ReadT],
        not_found: type[NotFound],
        *,
        kind: str,
        recorders: Sequence[Recorder] = (),
    ) -> None:
        self.model = model
        self.kind = kind
        self.recorders = tuple(recorders)
        self.read = read
        self.not_found = not_found
        self.table = cast(Table, model.__table__)
        # Labelled with the schema's field names: a column may be stored under another
        # name (a task's `order`, a reserved word, is the column `position`).
        self.columns = [self.table.c[name].label(name) for name in read.model_fields]
        self.c = self.table.c
        self.id = self.c.id
        self.version = self.c.version
        self.live = self.c.deleted_at.is_(None)
        # The hottest reads, built once: SQLAlchemy then reuses their cache keys as well
        # as their compiled forms, instead of rebuilding both for every request.
        one = select(*self.columns).where(
            self.id == bindparam("item_id"), self.c.workspace_id == gate.WORKSPACE, self.live
        )
        self._encoders = {
            dialect: row_encoder(read, dialect) for dialect in ("sqlite", "postgresql")
        }
        self.writes = WriteStatements(self.table, self.columns)
        # By (personal workspace?, API key?): a key's read also finds the key alive.
        self._get_one = {
            (personal, keyed): one.where(*gate.admitting(personal, "viewer", keyed))
            for personal in (True, False)
            for keyed in (True, False)
        }

    def in_workspace(self, access: Access) -> Select[Any]:
        """The columns of the response schema, for the live rows the caller may read."""
        return select(*self.columns).where(
            self.c.workspace_id == access.workspace_id, self.live, *gate.admits(access)
        )

    def encoder(self, dialect: str) -> Callable[[Any], dict[str, Any]]:
        """A driver's row (kit.direct) to the item's JSON values."""
        return self._encoders[dialect]

    def as_read(self, row: Any) -> ReadT:
        return self.read.model_validate(row._mapping)

    def key(self, item_id: str) -> uuid.UUID:
        parsed = parse_id(item_id)
        if parsed is None:
            raise self.not_found()
        return parsed

    def _one(self, access: Access, item_id: str) -> tuple[Select[Any], dict[str, Any]]:
        statement = self._get_one[access.personal, access.principal.key is not None]
        return statement, {"item_id": self.key(item_id), **gate.caller_parameters(access)}

    async def get(self, session: AsyncSession, *, access: Access, item_id: str) -> ReadT:
        statement, parameters = self._one(access, item_id)
        row = (await session.execute(statement, parameters)).one_or_none()
        if row is None:
            await gate.explain(session, access.needing("viewer"))
            raise self.not_found()
        return self.as_read(row)

    async def fetch_json(
        self, database: Database, *, access: Access, item_id: str
    ) -> dict[str, Any]:
        """One item as its GET answers it, in one round trip straight on the driver
        (`kit.direct`): the values of its JSON, not a model."""
        if database.direct is None:
            async with database.read_session() as session:
                item = await self.get(session, access=access, item_id=item_id)
            return item.model_dump(mode="json")
        statement, parameters = self._one(access, item_id)
        rows = await database.direct.fetch(statement, parameters)
        if not rows:
            async with database.read_session() as session:
                await gate.explain(session, access.needing("viewer"))
            raise self.not_found()
        return self.encoder(database.direct.dialect.name)(rows[0])

    def order(self, sort: str) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
        descending = sort.startswith("-")
        column = self.c[sort.removeprefix("-")]
        key = column.desc() if descending else column.asc()
        if column.nullable:
            key = key.nulls_last()
        return key, self.id.desc() if descending else self.id.asc()

    async def record(
        self,
        session: AsyncSession,
        event: Literal["created", "updated", "deleted"],
        access: Access,
        item_id: uuid.UUID,
        item: ReadT | None,
        position: int,
    ) -> None:
        """Tell every recorder what the write meant, in the write's own transaction."""
        written = Written(self.kind, event, access, item_id, item, position)
        for recorder in self.recorders:
            await recorder(session, written)

    def authorship(self, access: Access, position: int) -> dict[str, Any]:
        """What every write records: where, by whom, at which feed position."""
        return {"updated_by": access.user_id, "change_seq": position}

    async def insert(
        self,
        session: AsyncSession,
        *,
        access: Access,
        values: Mapping[str, Any],
        stamped: Callable[[datetime], Mapping[str, Any]] | None = None,
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
    ) -> ReadT:
        """A new item at version 1. Its id and time are taken once the workspace's
        writers are held, so they follow the order in which writes commit; `stamped`
        gives the fields that follow from that time. An import keeps the item's own
        `created_at` and `updated_at` instead."""
        position = await gate.begin_write(session, access)
        now = utcnow()
        row = {
            **values,
            **(stamped(now) if stamped else {}),
            "id": new_id(),
            "created_at": created_at or now,
            "updated_at": updated_at or now,
            "version": 1,
            "workspace_id": access.workspace_id,
            "created_by": access.user_id,
            **self.authorship(access, position),
        }
        parameters, computed = computed_apart(row)
        parameters |= {gate.WORKSPACE.key: access.workspace_id, NOW.key: now}
        statement = self.writes.inserting(computed)
        created = self.as_read((await session.execute(statement, parameters)).one())
        key = created.id  # type: ignore[attr-defined]
        await self.record(session, "created", access, key, created, position)
        return created

    async def update(
        self,
        session: AsyncSession,
        *,
        access: Access,
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
        key = self.key(item_id)
        position = await gate.begin_write(session, access)
        plain, computed = computed_apart({**changes, **(derived or {})})
        statement = self.writes.updating(
            changes, computed, changed, versioned=expected_version is not None
        )
        parameters = {
            **plain,
            **comparisons({name: plain[name] for name in changes if name in plain}),
            **self.authorship(access, position),
            "updated_at": now,
            ITEM.key: key,
            gate.WORKSPACE.key: access.workspace_id,
            NOW.key: now,
            EXPECTED.key: expected_version,
        }
        row = (await session.execute(statement, parameters)).one_or_none()
        if row is not None:
            updated = self.as_read(row)
            await self.record(session, "updated", access, key, updated, position)
            return updated
        current = await self.get(session, access=access, item_id=item_id)
        if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
            raise PreconditionFailed()
        return current
