"""Tasks search the same way over title and description (API.md §3, §4)."""

import secrets
from typing import Any

import httpx
import pytest

from tests.factories import User, make_task
from tests.notes.search.cases import HOSTILE_QUERIES, MATCHING_CASES
from tests.notes.search.support import Corpus


async def task_ids(
    client: httpx.AsyncClient, user: User, q: str, path: str = "/tasks", **params: Any
) -> list[str]:
    response = await client.get(path, params={"q": q, "limit": 100, **params}, headers=user.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"]), body
    return [item["id"] for item in body["items"]]


class TestTaskSearch:
    @pytest.mark.parametrize(("q", "expected"), MATCHING_CASES, ids=[q for q, _ in MATCHING_CASES])
    async def test_finds_exactly_the_tasks_the_notes_table_expects(
        self, client: httpx.AsyncClient, task_corpus: Corpus, q: str, expected: set[str]
    ) -> None:
        ids = await task_ids(client, task_corpus.user, q)
        assert {task_corpus.keys[task_id] for task_id in ids} == expected

    async def test_the_user_scoped_path_finds_the_same_tasks(
        self, client: httpx.AsyncClient, task_corpus: Corpus
    ) -> None:
        user = task_corpus.user
        for q in ("cafe", "quart rev", "zebra"):
            scoped = await task_ids(client, user, q, path=f"/api/{user.id}/tasks")
            assert scoped == await task_ids(client, user, q)

    async def test_a_title_match_ranks_above_a_description_match(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        in_description = await make_task(client, alice, title="Plan", description="the budget")
        in_title = await make_task(client, alice, title="Budget", description=None)
        assert await task_ids(client, alice, "budget") == [in_title["id"], in_description["id"]]

    async def test_q_combines_with_the_status_filter_and_an_explicit_sort(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        done = await make_task(client, alice, title="Report b", completed=True)
        open_ = await make_task(client, alice, title="Report a")
        await make_task(client, alice, title="Other", completed=True)
        assert await task_ids(client, alice, "report", status="completed") == [done["id"]]
        assert await task_ids(client, alice, "report", status="pending") == [open_["id"]]
        assert await task_ids(client, alice, "report", sort="title") == [open_["id"], done["id"]]

    async def test_changes_re_index_and_a_null_description_clears_its_words(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        task = await make_task(client, alice, title="Old chore", description="pineapple")
        path = f"/tasks/{task['id']}"
        patched = await client.patch(
            path, json={"title": "New chore", "description": None}, headers=alice.headers
        )
        assert patched.status_code == 200, patched.text
        assert await task_ids(client, alice, "old") == []
        assert await task_ids(client, alice, "pineapple") == []
        assert await task_ids(client, alice, "new chore") == [task["id"]]
        assert (await client.delete(path, headers=alice.headers)).status_code == 204
        assert await task_ids(client, alice, "chore") == []

    async def test_another_users_tasks_never_appear(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        word = f"shared{secrets.token_hex(4)}"
        mine = await make_task(client, alice, title=word)
        await make_task(client, bob, title=word, description=word)
        assert await task_ids(client, alice, word) == [mine["id"]]

    async def test_hostile_queries_are_text_and_never_cross_users(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        mine = {(await make_task(client, alice, title="Salt and pepper"))["id"]}
        for query in HOSTILE_QUERIES[:40]:
            await make_task(client, bob, title="Salt and pepper", description=query[:1000])
        for query in HOSTILE_QUERIES:
            assert set(await task_ids(client, alice, query)) <= mine, query
        for query in ("", "\x00", "a" * 201):
            response = await client.get("/tasks", params={"q": query}, headers=alice.headers)
            assert response.status_code == 422, response.text
            assert response.json()["field"] == "query.q"
