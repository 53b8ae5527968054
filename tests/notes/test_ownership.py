"""Another user's notes (API.md §3): never seen, never touched."""

import httpx
import pytest

from tests.factories import User, make_note, without_request_id
from tests.notes.support import ITEM_ROUTES, SORTS, get_note, list_ids, not_found_body, request


class TestOtherUsersNotes:
    """Another user's note answers exactly like one that does not exist."""

    @pytest.mark.parametrize(("method", "body"), ITEM_ROUTES)
    @pytest.mark.parametrize("if_match", [None, '"1"', '"9"'])
    async def test_other_users_note_is_404_and_untouched(
        self,
        client: httpx.AsyncClient,
        alice: User,
        bob: User,
        method: str,
        body: dict[str, str] | None,
        if_match: str | None,
    ) -> None:
        note = await make_note(client, alice)
        headers = {"If-Match": if_match} if if_match else {}
        response = await request(client, method, f"/notes/{note['id']}", bob, body, headers)
        assert response.status_code == 404
        assert without_request_id(response.json()) == await not_found_body(client, bob)
        assert await get_note(client, alice, note["id"]) == note

    async def test_other_users_note_ignores_if_none_match(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        note = await make_note(client, alice)
        response = await client.get(
            f"/notes/{note['id']}", headers={**bob.headers, "If-None-Match": '"1"'}
        )
        assert response.status_code == 404

    async def test_list_shows_only_own_notes(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        mine = await make_note(client, alice, title="mine")
        for title in ["theirs", "theirs too"]:
            await make_note(client, bob, title=title)
        for sort in SORTS:
            response = await client.get("/notes", params={"sort": sort}, headers=alice.headers)
            assert response.json()["items"] == [mine]
            assert response.json()["total"] == 1
        past_the_end = await client.get("/notes", params={"offset": 5}, headers=alice.headers)
        assert past_the_end.json()["total"] == 1

    async def test_create_belongs_to_the_caller(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        note = await make_note(client, bob)
        assert await list_ids(client, alice) == []
        assert await list_ids(client, bob) == [note["id"]]
