"""The tasks routes, built once per path style from one set of handlers.

`/tasks…` takes the user from the token; `/api/{user_id}/tasks…` serves frontends
built against user-scoped paths, and answers 404 for any `{user_id}` but the
caller's, exactly like a task that does not exist.
"""

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, params, status

from teamnotes.auth.dependencies import CurrentUserId
from teamnotes.kit.conditional import (
    ETAG_HEADER,
    IfMatch,
    IfNoneMatch,
    etag,
    expected_version,
    not_modified,
)
from teamnotes.kit.db import SessionDep
from teamnotes.kit.errors import error_responses
from teamnotes.kit.idempotency import IdempotencyKeyHeader, create_once
from teamnotes.kit.pagination import Page, PageDep
from teamnotes.kit.routing import JSONRoute
from teamnotes.kit.search import SearchQuery
from teamnotes.tasks import service
from teamnotes.tasks.schemas import (
    TaskCompletion,
    TaskCreate,
    TaskRead,
    TaskReplace,
    TaskSort,
    TaskStatus,
    TaskUpdate,
)

TaskId = Annotated[str, Path(description="The task's id (a UUID); any other text is 404.")]
_ITEM_ERRORS = error_responses(404)
_WRITE_ERRORS = error_responses(400, 404, 412, 413, 415)
_ONE_TASK: dict[int | str, dict[str, Any]] = {200: {"headers": ETAG_HEADER}}


async def list_tasks(
    session: SessionDep,
    user_id: CurrentUserId,
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
) -> Page[TaskRead]:
    """List the caller's tasks, or search them with `q`."""
    return await service.list_tasks(
        session, owner_id=user_id, page=page, status=status, sort=sort, query=q
    )


async def create_task(
    session: SessionDep,
    user_id: CurrentUserId,
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
        owner_id=user_id,
        key=idempotency_key,
        operation="create_task",
        request=data,
        create=lambda: service.create_task(session, owner_id=user_id, data=data),
        location=lambda task: f"{collection}/{task.id}",
    )


async def read_task(
    session: SessionDep,
    user_id: CurrentUserId,
    task_id: TaskId,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> TaskRead:
    """Read one task."""
    task = await service.get_task(session, owner_id=user_id, task_id=task_id)
    if cached := not_modified(if_none_match, task.version):
        return cached  # type: ignore[return-value]
    response.headers["ETag"] = etag(task.version)
    return task


async def _update(
    session: SessionDep,
    user_id: str,
    task_id: str,
    data: TaskReplace | TaskUpdate,
    if_match: str | None,
    response: Response,
) -> TaskRead:
    task = await service.update_task(
        session,
        owner_id=user_id,
        task_id=task_id,
        data=data,
        expected_version=expected_version(if_match),
    )
    response.headers["ETag"] = etag(task.version)
    return task


async def replace_task(
    session: SessionDep,
    user_id: CurrentUserId,
    task_id: TaskId,
    data: TaskReplace,
    response: Response,
    if_match: IfMatch = None,
) -> TaskRead:
    """Replace a task: fields left out take their creation defaults, but `order` stays."""
    return await _update(session, user_id, task_id, data, if_match, response)


async def update_task(
    session: SessionDep,
    user_id: CurrentUserId,
    task_id: TaskId,
    data: TaskUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> TaskRead:
    """Change some of a task's fields; `null` clears `description` and `due_at`."""
    return await _update(session, user_id, task_id, data, if_match, response)


# The toggle's body is optional: None when none (or an empty one) was sent. It is
# typed without `| None` so that the document does not offer `null`, which FastAPI
# then refuses like any other body that is not an object (API.md §1).
_OPTIONAL_BODY = Body(None)


async def complete_task(
    session: SessionDep,
    user_id: CurrentUserId,
    task_id: TaskId,
    response: Response,
    data: TaskCompletion = _OPTIONAL_BODY,
    if_match: IfMatch = None,
) -> TaskRead:
    """Toggle `completed` (no body, or `{}`), or set it (`{"completed": true}`)."""
    task = await service.complete_task(
        session,
        owner_id=user_id,
        task_id=task_id,
        data=data,
        expected_version=expected_version(if_match),
    )
    response.headers["ETag"] = etag(task.version)
    return task


async def delete_task(
    session: SessionDep, user_id: CurrentUserId, task_id: TaskId, if_match: IfMatch = None
) -> None:
    """Delete a task."""
    await service.delete_task(
        session, owner_id=user_id, task_id=task_id, expected_version=expected_version(if_match)
    )


def _build_router(
    prefix: str,
    *,
    tag: str,
    suffix: str = "",
    dependencies: Sequence[params.Depends] = (),
    errors: Sequence[int] = (401, 422),
) -> APIRouter:
    """The seven operations under `prefix`; `suffix` keeps route names (operation ids)
    unique, `errors` are the statuses every route may answer."""
    router = APIRouter(
        prefix=prefix,
        tags=[tag],
        route_class=JSONRoute,
        responses=error_responses(*errors),
        dependencies=dependencies,
    )
    created_headers = {
        **ETAG_HEADER,
        "Location": {
            "description": "The new task's URL, under the path style of the request.",
            "required": True,
            "schema": {"type": "string"},
        },
    }
    router.get("", name=f"list_tasks{suffix}")(list_tasks)
    router.post(
        "",
        name=f"create_task{suffix}",
        status_code=status.HTTP_201_CREATED,
        response_model=TaskRead,
        responses={201: {"headers": created_headers}, **error_responses(400, 409, 413, 415)},
    )(create_task)
    router.get(
        "/{task_id}",
        name=f"read_task{suffix}",
        responses={
            **_ONE_TASK,
            **_ITEM_ERRORS,
            304: {"description": "Not modified", "headers": ETAG_HEADER},
        },
    )(read_task)
    one_task = {**_ONE_TASK, **_WRITE_ERRORS}
    router.put("/{task_id}", name=f"replace_task{suffix}", responses=one_task)(replace_task)
    router.patch("/{task_id}", name=f"update_task{suffix}", responses=one_task)(update_task)
    router.patch("/{task_id}/complete", name=f"complete_task{suffix}", responses=one_task)(
        complete_task
    )
    router.delete(
        "/{task_id}",
        name=f"delete_task{suffix}",
        status_code=status.HTTP_204_NO_CONTENT,
        responses=error_responses(404, 412),
    )(delete_task)
    return router


async def _path_user_is_caller(
    user_id: Annotated[str, Path(description="The caller's own user id; any other is 404.")],
    caller: CurrentUserId,
) -> None:
    """`/api/{user_id}/…` belongs to the caller alone: anyone else's is not found."""
    if user_id != caller:
        raise service.TaskNotFound()


# Two routers, both included by the app itself: FastAPI walks nested routers on every
# request, so one level fewer is measurably cheaper.
routers = (
    _build_router("/tasks", tag="tasks"),
    _build_router(
        "/api/{user_id}/tasks",
        tag="tasks (user-scoped paths)",
        suffix="_user_scoped",
        dependencies=[Depends(_path_user_is_caller)],
        errors=(401, 404, 422),
    ),
)
