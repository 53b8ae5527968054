"""The tasks routes, built once per path style from one set of handlers.

`/tasks…` acts in the caller's personal workspace; `/api/{user_id}/tasks…` too, for
frontends built against user-scoped paths, answering 404 for any `{user_id}` but the
caller's, exactly like a task that does not exist; `/workspaces/{workspace_id}/tasks…`
acts in the path's workspace (API.md §7).
"""

from collections.abc import Sequence
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, status

from teamnotes.kit.conditional import (
    ETAG_HEADER,
    IfMatch,
    created_headers,
    etag,
    expected_version,
    item_response,
    read_parameters,
)
from teamnotes.kit.db import SessionDep
from teamnotes.kit.errors import error_responses
from teamnotes.kit.idempotency import IdempotencyKeyHeader, create_once
from teamnotes.kit.pagination import Page, PageDep, page_response
from teamnotes.kit.routing import JSONRoute, StyleRoutes
from teamnotes.kit.search import SearchQuery
from teamnotes.tasks import service
from teamnotes.tasks.dependencies import user_scoped_access
from teamnotes.tasks.schemas import (
    TaskCompletion,
    TaskCreate,
    TaskRead,
    TaskReplace,
    TaskSort,
    TaskStatus,
    TaskUpdate,
)
from teamnotes.workspaces import gate
from teamnotes.workspaces.dependencies import (
    PersonalAccess,
    WorkspaceAccess,
)
from teamnotes.workspaces.gate import Access
from teamnotes.workspaces.schemas import ItemMove

TaskId = Annotated[str, Path(description="The task's id (a UUID); any other text is 404.")]
_ITEM_ERRORS = error_responses(404)
_WRITE_ERRORS = error_responses(400, 403, 404, 412, 413, 415)
_ONE_TASK: dict[int | str, dict[str, Any]] = {200: {"headers": ETAG_HEADER}}


async def list_tasks(
    request: Request,
    session: SessionDep,
    access: PersonalAccess,
    page: PageDep,
    status: Annotated[TaskStatus, Query(description="Which tasks, by completion.")] = "all",
    q: SearchQuery = None,
    sort: Annotated[
        TaskSort | None,
        Query(
            description="`-` first for descending; `due_at` puts nulls last. "
            "Default: `order`, or relevance with `q`."
        ),
    ] = None,
) -> Response:
    """List the workspace's tasks, or search them with `q`."""
    found = await service.list_tasks(
        request.app.state.database,
        session,
        access=access,
        page=page,
        status=status,
        sort=sort,
        query=q,
    )
    return page_response(found)


async def create_task(
    session: SessionDep,
    access: PersonalAccess,
    data: TaskCreate,
    request: Request,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Create a task; without an `order`, it goes last (retry-safe with `Idempotency-Key`)."""
    # Under the collection's own path, so the Location keeps the request's path style;
    # quoted again, as a user id in the path may be any string (an identity provider's).
    collection = quote(request.url.path)
    return await create_once(
        session,
        owner_id=access.user_id,
        workspace_id=access.workspace_id,
        key=idempotency_key,
        operation="create_task",
        request=data,
        create=lambda: service.create_task(session, access=access, data=data),
        location=lambda task: f"{collection}/{task.id}",
        authorize=partial(gate.explain, session, access),
    )


async def read_task(request: Request, access: PersonalAccess) -> Response:
    """Read one task."""
    # The hottest route: its id and If-None-Match are read here, not declared as
    # parameters (see read_parameters).
    task = await service.tasks.fetch_json(
        request.app.state.database, access=access, item_id=request.path_params["task_id"]
    )
    return item_response(task, request.headers.get("if-none-match"))


async def _update(
    session: SessionDep,
    access: Access,
    task_id: str,
    data: TaskReplace | TaskUpdate,
    if_match: str | None,
    response: Response,
) -> TaskRead:
    task = await service.update_task(
        session,
        access=access,
        task_id=task_id,
        data=data,
        expected_version=expected_version(if_match),
    )
    response.headers["ETag"] = etag(task.version)
    return task


async def replace_task(
    session: SessionDep,
    access: PersonalAccess,
    task_id: TaskId,
    data: TaskReplace,
    response: Response,
    if_match: IfMatch = None,
) -> TaskRead:
    """Replace a task: fields left out take their creation defaults, but `order` stays."""
    return await _update(session, access, task_id, data, if_match, response)


async def update_task(
    session: SessionDep,
    access: PersonalAccess,
    task_id: TaskId,
    data: TaskUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> TaskRead:
    """Change some of a task's fields; `null` clears `description` and `due_at`."""
    return await _update(session, access, task_id, data, if_match, response)


# The toggle's body is optional: None when none (or an empty one) was sent. It is
# typed without `| None` so that the document does not offer `null`, which FastAPI
# then refuses like any other body that is not an object (API.md §1).
_OPTIONAL_BODY = Body(None)


async def complete_task(
    session: SessionDep,
    access: PersonalAccess,
    task_id: TaskId,
    response: Response,
    data: TaskCompletion = _OPTIONAL_BODY,
    if_match: IfMatch = None,
) -> TaskRead:
    """Toggle `completed` (no body, or `{}`), or set it (`{"completed": true}`)."""
    task = await service.complete_task(
        session,
        access=access,
        task_id=task_id,
        data=data,
        expected_version=expected_version(if_match),
    )
    response.headers["ETag"] = etag(task.version)
    return task


async def delete_task(
    session: SessionDep, access: PersonalAccess, task_id: TaskId, if_match: IfMatch = None
) -> None:
    """Move a task to the trash."""
    await service.delete_task(
        session, access=access, task_id=task_id, expected_version=expected_version(if_match)
    )


async def move_task(
    session: SessionDep,
    access: PersonalAccess,
    task_id: TaskId,
    data: ItemMove,
    response: Response,
    if_match: IfMatch = None,
) -> TaskRead:
    """Move a task to another workspace where you are an editor; it goes last there."""
    task = await service.move_task(
        session,
        access=access,
        task_id=task_id,
        target=data.workspace_id,
        expected_version=expected_version(if_match),
    )
    response.headers["ETag"] = etag(task.version)
    return task


def build_router(
    prefix: str,
    *,
    tag: str,
    access: Any = PersonalAccess,
    suffix: str = "",
    errors: Sequence[int] = (401, 422),
) -> APIRouter:
    """The task operations under `prefix`, acting where the `access` dependency says;
    `suffix` keeps route names (operation ids) unique, `errors` are the statuses every
    route may answer."""
    router = APIRouter(
        prefix=prefix, tags=[tag], route_class=JSONRoute, responses=error_responses(*errors)
    )

    add = StyleRoutes(router, access=access, suffix=suffix).add

    add("GET", "", list_tasks, response_model=Page[TaskRead])
    add(
        "POST",
        "",
        create_task,
        status_code=status.HTTP_201_CREATED,
        response_model=TaskRead,
        responses={
            201: {"headers": created_headers("task")},
            **error_responses(400, 403, 409, 413, 415),
        },
    )
    add(
        "GET",
        "/{task_id}",
        read_task,
        response_model=TaskRead,
        openapi_extra=read_parameters("task_id", "task"),
        responses={
            **_ONE_TASK,
            **_ITEM_ERRORS,
            304: {"description": "Not modified", "headers": ETAG_HEADER},
        },
    )
    one_task = {**_ONE_TASK, **_WRITE_ERRORS}
    add("PUT", "/{task_id}", replace_task, responses=one_task)
    add("PATCH", "/{task_id}", update_task, responses=one_task)
    add("PATCH", "/{task_id}/complete", complete_task, responses=one_task)
    add(
        "DELETE",
        "/{task_id}",
        delete_task,
        status_code=status.HTTP_204_NO_CONTENT,
        responses=error_responses(403, 404, 412),
    )
    add("POST", "/{task_id}/move", move_task, responses=one_task)
    return router


# Included by the app itself, not nested: FastAPI walks nested routers on every
# request, so one level fewer is measurably cheaper.
routers = (
    build_router("/tasks", tag="tasks"),
    build_router(
        "/api/{user_id}/tasks",
        tag="tasks (user-scoped paths)",
        access=Annotated[Access, Depends(user_scoped_access)],
        suffix="_user_scoped",
        errors=(401, 404, 422),
    ),
    build_router(
        "/workspaces/{workspace_id}/tasks",
        tag="tasks",
        access=WorkspaceAccess,
        suffix="_in_workspace",
        errors=(401, 404, 422),
    ),
)
