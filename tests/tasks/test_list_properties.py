"""Paging walks a total order: for any set of tasks, any sort, any status and any page
size, reading every page yields each matching task exactly once, in the documented
order (the sort, then the id in the same direction, nulls last either way)."""

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import token_user

SORTS = ["order", "created_at", "updated_at", "title", "due_at"]

# Few distinct values, so that ties (and nulls) are common and the tie-break matters.
task_bodies = st.lists(
    st.fixed_dictionaries(
        {
            "title": st.sampled_from(["a", "A", "b", "é", "a b", "Zed"]),
            "completed": st.booleans(),
            "order": st.integers(min_value=-2, max_value=2),
            "due_at": st.none()
            | st.sampled_from(
                [
                    "1900-01-01T00:00:00Z",
                    "2030-01-01T00:00:00Z",
                    "2030-01-01T01:00:00+01:00",  # the same instant as the one above
                    "9999-12-31T23:59:59.999999Z",
                ]
            ),
        }
    ),
    max_size=12,
)


def documented_order(tasks: list[dict[str, Any]], sort: str) -> list[str]:
    field = sort.removeprefix("-")
    descending = sort.startswith("-")
    valued = [task for task in tasks if task[field] is not None]
    nulls = [task for task in tasks if task[field] is None]
    # Timestamps come as fixed-width RFC 3339 in UTC, so their text sorts by time.
    valued.sort(key=lambda task: (task[field], uuid.UUID(task["id"])), reverse=descending)
    nulls.sort(key=lambda task: uuid.UUID(task["id"]), reverse=descending)
    return [task["id"] for task in valued + nulls]


class TestListTasksPaging:
    @settings(
        max_examples=25,
        deadline=None,
        # A fresh user per example keeps the examples apart despite the shared client.
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        bodies=task_bodies,
        sort=st.sampled_from(SORTS + [f"-{sort}" for sort in SORTS]),
        status=st.sampled_from(["all", "pending", "completed"]),
        limit=st.integers(min_value=1, max_value=5),
    )
    async def test_every_page_walk_yields_each_task_once_in_order(
        self,
        client: httpx.AsyncClient,
        app: FastAPI,
        bodies: list[dict[str, Any]],
        sort: str,
        status: str,
        limit: int,
    ) -> None:
        user = await token_user(app)
        tasks = []
        for body in bodies:
            response = await client.post("/tasks", json=body, headers=user.headers)
            assert response.status_code == 201, response.text
            tasks.append(response.json())
        if status != "all":
            tasks = [task for task in tasks if task["completed"] is (status == "completed")]

        walked: list[str] = []
        offset = 0
        while True:
            response = await client.get(
                "/tasks",
                params={"sort": sort, "status": status, "limit": limit, "offset": offset},
                headers=user.headers,
            )
            page = response.json()
            assert page["total"] == len(tasks)
            walked += [task["id"] for task in page["items"]]
            offset += limit
            if offset >= page["total"]:
                break

        assert walked == documented_order(tasks, sort)
