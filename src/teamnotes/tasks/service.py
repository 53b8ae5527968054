"""Tasks: the rules of API.md §4, every statement scoped to its owner."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, not_, null, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import UTCDateTime, utcnow
from teamnotes.kit.errors import NotFound
from teamnotes.kit.ids import new_id
from teamnotes.kit.owned import OwnedRows
from teamnotes.kit.pagination import Page, PageParams
from teamnotes.kit.search import indexed, search_for
from teamnotes.tasks.models import Task
from teamnotes.tasks.schemas import (
    INT32_MAX,
    TaskCompletion,
    TaskCreate,
    TaskRead,
    TaskReplace,
    TaskSort,
    TaskStatus,
    TaskUpdate,
)


class TaskNotFound(NotFound):
    detail = "Task not found"


_tasks = OwnedRows(Task, TaskRead, TaskNotFound)
_c = _tasks.table.c

# Namespaces this application's two-key advisory locks (pg_advisory_xact_lock(int, int)).
_ORDER_LOCK = 0x7A5C


def _indexed(changes: Mapping[str, Any]) -> dict[str, str]:
    return indexed(changes, title="title", body="description")


async def list_tasks(
    session: AsyncSession,
    *,
    owner_id: str,
    page: PageParams,
    status: TaskStatus,
    sort: TaskSort | None,
    query: str | None,
) -> Page[TaskRead]:
    """A page of the owner's tasks with the given status, matching `query` when given,
    in the requested order (by default `order`, or the best matches first)."""
    where = None if status == "all" else _c.completed == (status == "completed")
    search = search_for(_tasks.table, session.get_bind().dialect.name, query)
    if sort is None and search is None:
        sort = "order"
    return await _tasks.page(
        session, owner_id=owner_id, page=page, sort=sort, where=where, search=search
    )


async def get_task(session: AsyncSession, *, owner_id: str, task_id: str) -> TaskRead:
    """One of the owner's tasks; TaskNotFound for any other id."""
    return await _tasks.get(session, owner_id=owner_id, item_id=task_id)


async def create_task(session: AsyncSession, *, owner_id: str, data: TaskCreate) -> TaskRead:
    """A new task, at version 1; without an `order`, after the owner's last one."""
    values: dict[str, Any] = data.model_dump(exclude={"order"})
    if "order" in data.model_fields_set:
        values["order"] = data.order
    else:
        await _serialize_default_order(session, owner_id=owner_id)
        values["order"] = _next_order(owner_id)
    # Taken after the lock, so that ids and creation times follow the orders handed out.
    now = utcnow()
    return await _tasks.insert(
        session,
        values={
            **values,
            "id": new_id(),
            "owner_id": owner_id,
            "created_at": now,
            "updated_at": now,
            "completed_at": now if data.completed else None,
            "version": 1,
            **_indexed(values),
        },
    )


async def _serialize_default_order(session: AsyncSession, *, owner_id: str) -> None:
    """Make concurrent creates of one owner read the largest order one at a time.

    Held until the transaction ends, so each create sees the ones before it committed.
    On SQLite, taking the connection is enough: every write goes through the one writer
    connection, which takes the database's write lock when it begins (BEGIN IMMEDIATE).
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        lock = func.pg_advisory_xact_lock(_ORDER_LOCK, func.hashtext(owner_id))
        await connection.execute(select(lock))


def _next_order(owner_id: str) -> ColumnElement[int]:
    """One more than the owner's largest order (1 for the first), kept within int32."""
    largest = func.max(_c.order)
    next_order = case(
        (largest.is_(None), 1),
        (largest < INT32_MAX, largest + 1),
        else_=INT32_MAX,
    )
    return select(next_order).where(_c.owner_id == owner_id).scalar_subquery()


async def update_task(
    session: AsyncSession,
    *,
    owner_id: str,
    task_id: str,
    data: TaskReplace | TaskUpdate,
    expected_version: int | None,
) -> TaskRead:
    """Change the fields sent (for a replace, every field but an omitted `order`).

    A write that changes nothing changes nothing: not `updated_at`, not `version`.
    """
    if isinstance(data, TaskReplace):
        changes = data.model_dump(exclude=None if "order" in data.model_fields_set else {"order"})
    else:
        changes = data.model_dump(exclude_unset=True)
    now = utcnow()
    derived: dict[str, Any] = _indexed(changes)
    if "completed" in changes:
        derived["completed_at"] = _completed_at(changes["completed"], now)
    return await _tasks.update(
        session,
        owner_id=owner_id,
        item_id=task_id,
        changes=changes,
        derived=derived,
        expected_version=expected_version,
        now=now,
    )


async def complete_task(
    session: AsyncSession,
    *,
    owner_id: str,
    task_id: str,
    data: TaskCompletion | None,
    expected_version: int | None,
) -> TaskRead:
    """Set `completed` to the value sent, or toggle it when none was sent."""
    if data is not None and "completed" in data.model_fields_set:
        return await update_task(
            session,
            owner_id=owner_id,
            task_id=task_id,
            data=TaskUpdate(completed=data.completed),
            expected_version=expected_version,
        )
    now = utcnow()
    # One statement reads and flips the stored value, so concurrent toggles each count.
    return await _tasks.update(
        session,
        owner_id=owner_id,
        item_id=task_id,
        changes={"completed": not_(_c.completed)},
        derived={"completed_at": case((_c.completed, null()), else_=_utc(now))},
        changed=true(),
        expected_version=expected_version,
        now=now,
    )


def _completed_at(completed: bool, now: datetime) -> ColumnElement[Any]:
    """`completed_at` follows `completed`: set when it turns true, cleared when false."""
    if not completed:
        return null()
    return case((_c.completed, _c.completed_at), else_=_utc(now))


def _utc(value: datetime) -> ColumnElement[datetime]:
    return literal(value, UTCDateTime())


async def delete_task(
    session: AsyncSession, *, owner_id: str, task_id: str, expected_version: int | None
) -> None:
    """Delete one of the owner's tasks."""
    await _tasks.delete(
        session, owner_id=owner_id, item_id=task_id, expected_version=expected_version
    )
