"""Tasks: the rules of API.md §4, every statement through the workspace gate."""

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, case, func, not_, null, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import Database, utcnow
from teamnotes.kit.errors import NotFound
from teamnotes.kit.pagination import PageParams
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
from teamnotes.webhooks import outbox
from teamnotes.workspaces import moves, trashed
from teamnotes.workspaces.gate import WORKSPACE, Access
from teamnotes.workspaces.items import WorkspaceItems
from teamnotes.workspaces.listing import Pages
from teamnotes.workspaces.statements import NOW


class TaskNotFound(NotFound):
    detail = "Task not found"


tasks = WorkspaceItems(Task, TaskRead, TaskNotFound, kind="task", recorders=[outbox.record])
task_pages = Pages(tasks)
_c = tasks.table.c

# Computed in the UPDATE, built once (workspaces.statements): from the row as it is.
_COMPLETED_NOW = case((_c.completed, _c.completed_at), else_=NOW)
"""`completed_at` of a task being completed: kept if it was already, else the write's."""
_TOGGLED = not_(_c.completed)
_TOGGLED_AT = case((_c.completed, null()), else_=NOW)
"""`completed_at` of a task whose `completed` flips: cleared, or the write's time."""


def _indexed(changes: Mapping[str, Any]) -> dict[str, str]:
    return indexed(changes, title="title", body="description")


async def list_tasks(
    database: Database,
    session: AsyncSession,
    *,
    access: Access,
    page: PageParams,
    status: TaskStatus,
    sort: TaskSort | None,
    query: str | None,
) -> dict[str, Any]:
    """A page of the workspace's tasks with the given status, matching `query` when given,
    in the requested order (by default `order`, or the best matches first): its JSON."""
    filtered = None if status == "all" else ("completed", status == "completed")
    search = search_for(tasks.table, database.dialect, query)
    if sort is None and search is None:
        sort = "order"
    return await task_pages.page_json(
        database, session, access=access, page=page, sort=sort, filtered=filtered, search=search
    )


async def get_task(session: AsyncSession, *, access: Access, task_id: str) -> TaskRead:
    """One of the workspace's tasks; TaskNotFound for any other id."""
    return await tasks.get(session, access=access, item_id=task_id)


async def create_task(session: AsyncSession, *, access: Access, data: TaskCreate) -> TaskRead:
    """A new task, at version 1; without an `order`, after the workspace's last one.

    The default order is read inside the insert, after the gate has taken the
    workspace's writer lock, so concurrent creates each see the ones before them.
    """
    values: dict[str, Any] = data.model_dump(exclude={"order"})
    values["order"] = data.order if "order" in data.model_fields_set else NEXT_ORDER
    return await tasks.insert(
        session,
        access=access,
        values=values | _indexed(values),
        stamped=lambda now: {"completed_at": now if data.completed else None},
    )


def next_order(workspace_id: object) -> ColumnElement[int]:
    """One more than the largest order of the workspace's live tasks (1 for the first),
    kept within int32; tasks in the trash do not count (API.md §9)."""
    largest = func.max(_c.order)
    following = case(
        (largest.is_(None), 1),
        (largest < INT32_MAX, largest + 1),
        else_=INT32_MAX,
    )
    return (
        select(following)
        .where(_c.workspace_id == workspace_id, _c.deleted_at.is_(None))
        .scalar_subquery()
    )


NEXT_ORDER = next_order(WORKSPACE)
"""A new task's default order, in the workspace its INSERT writes to (built once)."""


async def update_task(
    session: AsyncSession,
    *,
    access: Access,
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
        derived["completed_at"] = _completed_at(changes["completed"])
    return await tasks.update(
        session,
        access=access,
        item_id=task_id,
        changes=changes,
        derived=derived,
        expected_version=expected_version,
        now=now,
    )


async def complete_task(
    session: AsyncSession,
    *,
    access: Access,
    task_id: str,
    data: TaskCompletion | None,
    expected_version: int | None,
) -> TaskRead:
    """Set `completed` to the value sent, or toggle it when none was sent."""
    if data is not None and "completed" in data.model_fields_set:
        return await update_task(
            session,
            access=access,
            task_id=task_id,
            data=TaskUpdate(completed=data.completed),
            expected_version=expected_version,
        )
    now = utcnow()
    # One statement reads and flips the stored value, so concurrent toggles each count.
    return await tasks.update(
        session,
        access=access,
        item_id=task_id,
        changes={"completed": _TOGGLED},
        derived={"completed_at": _TOGGLED_AT},
        changed=true(),
        expected_version=expected_version,
        now=now,
    )


def _completed_at(completed: bool) -> ColumnElement[Any]:
    """`completed_at` follows `completed`: set when it turns true, cleared when false."""
    return _COMPLETED_NOW if completed else null()


async def delete_task(
    session: AsyncSession, *, access: Access, task_id: str, expected_version: int | None
) -> None:
    """Delete one of the workspace's tasks."""
    await trashed.trash(
        tasks,
        session,
        access=access,
        item_id=task_id,
        expected_version=expected_version,
        now=utcnow(),
    )


async def move_task(
    session: AsyncSession,
    *,
    access: Access,
    task_id: str,
    target: uuid.UUID,
    expected_version: int | None,
) -> TaskRead:
    """Move a task to another workspace, where it goes last."""
    destination = Access(access.principal, target, "editor")
    return await moves.move(
        tasks,
        session,
        access=access,
        item_id=task_id,
        target=target,
        expected_version=expected_version,
        now=utcnow(),
        placed={"order": next_order(destination.workspace_id)},
    )
