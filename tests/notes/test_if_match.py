"""If-Match on every write of a note (API.md §1): no lost updates."""

import httpx
import pytest

from tests.errors import assert_error
from tests.factories import User, make_note
from tests.notes.support import get_note, list_ids, missing_id, request

WRITES = [
    ("PUT", {"title": "Lost update", "content": "lost"}),
    ("PATCH", {"content": "lost"}),
    ("DELETE", None),
]


class TestIfMatch:
    """A write with a stale If-Match is refused (412) and changes nothing."""

    @pytest.mark.parametrize(("method", "body"), WRITES)
    @pytest.mark.parametrize("header", ['"1"', '"3"', 'W/"2"', "2", '"two"'])
    async def test_stale_if_match_is_412_and_changes_nothing(
        self,
        client: httpx.AsyncClient,
        alice: User,
        method: str,
        body: dict[str, str] | None,
        header: str,
    ) -> None:
        note = await make_note(client, alice, title="v1")
        await client.patch(f"/notes/{note['id']}", json={"title": "v2"}, headers=alice.headers)
        current = await get_note(client, alice, note["id"])
        response = await request(
            client, method, f"/notes/{note['id']}", alice, body, {"If-Match": header}
        )
        body_ = assert_error(response, 412, "precondition_failed")
        assert body_["field"] is None
        assert await get_note(client, alice, note["id"]) == current

    @pytest.mark.parametrize(("method", "body"), WRITES)
    @pytest.mark.parametrize("header", ['"2"', "*"])
    async def test_current_if_match_applies_the_write(
        self,
        client: httpx.AsyncClient,
        alice: User,
        method: str,
        body: dict[str, str] | None,
        header: str,
    ) -> None:
        note = await make_note(client, alice, title="v1")
        await client.patch(f"/notes/{note['id']}", json={"title": "v2"}, headers=alice.headers)
        response = await request(
            client, method, f"/notes/{note['id']}", alice, body, {"If-Match": header}
        )
        if method == "DELETE":
            assert response.status_code == 204
            assert await list_ids(client, alice) == []
        else:
            assert response.status_code == 200
            assert response.json()["version"] == 3
            assert response.headers["ETag"] == '"3"'

    async def test_if_match_on_a_missing_note_is_404(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        response = await client.patch(
            f"/notes/{missing_id()}",
            json={"title": "x"},
            headers={**alice.headers, "If-Match": '"1"'},
        )
        assert_error(response, 404, "not_found")
