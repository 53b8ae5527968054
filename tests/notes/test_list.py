"""GET /notes (API.md §3): paging and sorting."""

import httpx
import pytest

from tests.errors import assert_validation_error
from tests.factories import User, make_note
from tests.notes.support import SORTS, list_ids


class TestListNotes:
    async def test_a_new_user_has_no_notes(self, client: httpx.AsyncClient, alice: User) -> None:
        response = await client.get("/notes", headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == {"items": [], "total": 0, "limit": 20, "offset": 0}

    async def test_items_are_whole_notes(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice)
        response = await client.get("/notes", headers=alice.headers)
        assert response.json()["items"] == [note]

    async def test_total_counts_every_note_while_limit_caps_the_items(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        for number in range(5):
            await make_note(client, alice, title=f"n{number}")
        response = await client.get("/notes", params={"limit": 2}, headers=alice.headers)
        page = response.json()
        assert (len(page["items"]), page["total"], page["limit"], page["offset"]) == (2, 5, 2, 0)
        response = await client.get(
            "/notes", params={"limit": 2, "offset": 4}, headers=alice.headers
        )
        page = response.json()
        assert (len(page["items"]), page["total"], page["limit"], page["offset"]) == (1, 5, 2, 4)

    @pytest.mark.parametrize("offset", [3, 4, 1000])
    async def test_offset_at_or_past_the_end_is_empty_with_the_right_total(
        self, client: httpx.AsyncClient, alice: User, offset: int
    ) -> None:
        for number in range(3):
            await make_note(client, alice, title=f"n{number}")
        response = await client.get("/notes", params={"offset": offset}, headers=alice.headers)
        assert response.status_code == 200
        assert response.json() == {"items": [], "total": 3, "limit": 20, "offset": offset}

    @pytest.mark.parametrize("limit", [1, 100])
    async def test_limit_bounds_are_accepted(
        self, client: httpx.AsyncClient, alice: User, limit: int
    ) -> None:
        response = await client.get("/notes", params={"limit": limit}, headers=alice.headers)
        assert response.status_code == 200
        assert response.json()["limit"] == limit

    @pytest.mark.parametrize("limit", ["0", "101", "x", "-1", "1.5", ""])
    async def test_bad_limit_is_422(
        self, client: httpx.AsyncClient, alice: User, limit: str
    ) -> None:
        response = await client.get("/notes", params={"limit": limit}, headers=alice.headers)
        assert_validation_error(response, "query.limit")

    @pytest.mark.parametrize("offset", ["-1", "x", "1e3"])
    async def test_bad_offset_is_422(
        self, client: httpx.AsyncClient, alice: User, offset: str
    ) -> None:
        response = await client.get("/notes", params={"offset": offset}, headers=alice.headers)
        assert_validation_error(response, "query.offset")

    @pytest.mark.parametrize("sort", ["-", "", "id", "--title", "TITLE", "title,-title", "+title"])
    async def test_unknown_sort_is_422(
        self, client: httpx.AsyncClient, alice: User, sort: str
    ) -> None:
        response = await client.get("/notes", params={"sort": sort}, headers=alice.headers)
        assert_validation_error(response, "query.sort")

    async def test_default_order_is_most_recently_updated_first(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        first = await make_note(client, alice, title="first")
        second = await make_note(client, alice, title="second")
        third = await make_note(client, alice, title="third")
        assert await list_ids(client, alice) == [third["id"], second["id"], first["id"]]
        await client.patch(f"/notes/{first['id']}", json={"content": "edit"}, headers=alice.headers)
        assert await list_ids(client, alice) == [first["id"], third["id"], second["id"]]

    async def test_every_sort_orders_by_its_column(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        # Created 1, 2, 3; titled b, c, a; 1 edited last: each sort gives its own order.
        one = (await make_note(client, alice, title="b"))["id"]
        two = (await make_note(client, alice, title="c"))["id"]
        three = (await make_note(client, alice, title="a"))["id"]
        await client.patch(f"/notes/{one}", json={"content": "edited"}, headers=alice.headers)
        expected = {
            "created_at": [one, two, three],
            "-created_at": [three, two, one],
            "updated_at": [two, three, one],
            "-updated_at": [one, three, two],
            "title": [three, one, two],
            "-title": [two, one, three],
        }
        for sort, ids in expected.items():
            assert await list_ids(client, alice, sort=sort) == ids, sort

    @pytest.mark.parametrize("descending", [False, True])
    async def test_ties_are_broken_by_id_in_the_same_direction(
        self, client: httpx.AsyncClient, alice: User, descending: bool
    ) -> None:
        alpha = (await make_note(client, alice, title="alpha"))["id"]
        same = [(await make_note(client, alice, title="same"))["id"] for _ in range(4)]
        zulu = (await make_note(client, alice, title="zulu"))["id"]
        expected = [alpha, *sorted(same), zulu]
        if descending:
            expected.reverse()
        sort = "-title" if descending else "title"
        assert await list_ids(client, alice, sort=sort) == expected

    @pytest.mark.parametrize("sort", SORTS)
    async def test_walking_the_pages_never_repeats_or_skips_a_note(
        self, client: httpx.AsyncClient, alice: User, sort: str
    ) -> None:
        for title in ["same", "same", "other", "same", "other", "last", "same"]:
            await make_note(client, alice, title=title)
        everything = await list_ids(client, alice, sort=sort, limit=100)
        walked: list[str] = []
        for offset in range(0, 8, 2):
            walked += await list_ids(client, alice, sort=sort, limit=2, offset=offset)
        assert len(everything) == 7
        assert walked == everything
        assert len(set(walked)) == 7
