"""A search sees every write at once: patched, replaced and deleted notes."""

import httpx

from tests.factories import User, make_note
from tests.notes.search.support import found_ids


class TestSearchFollowsChanges:
    async def test_a_patched_title_is_found_by_its_new_words_only(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Old heading", content="body text")
        response = await client.patch(
            f"/notes/{note['id']}", json={"title": "Fresh heading"}, headers=alice.headers
        )
        assert response.status_code == 200, response.text
        assert await found_ids(client, alice, "old") == []
        assert await found_ids(client, alice, "fresh") == [note["id"]]
        assert await found_ids(client, alice, "body") == [note["id"]]

    async def test_patched_content_is_found_by_its_new_words_only(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Heading", content="pineapple")
        response = await client.patch(
            f"/notes/{note['id']}", json={"content": "watermelon"}, headers=alice.headers
        )
        assert response.status_code == 200, response.text
        assert await found_ids(client, alice, "pineapple") == []
        assert await found_ids(client, alice, "water") == [note["id"]]

    async def test_a_replaced_note_is_found_by_its_new_words_only(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Kiwi", content="lemon")
        response = await client.put(
            f"/notes/{note['id']}", json={"title": "Grape", "content": ""}, headers=alice.headers
        )
        assert response.status_code == 200, response.text
        assert await found_ids(client, alice, "kiwi") == []
        assert await found_ids(client, alice, "lemon") == []
        assert await found_ids(client, alice, "grape") == [note["id"]]

    async def test_a_deleted_note_is_no_longer_found(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Ephemeral", content="")
        kept = await make_note(client, alice, title="Ephemeral too", content="")
        response = await client.delete(f"/notes/{note['id']}", headers=alice.headers)
        assert response.status_code == 204
        assert await found_ids(client, alice, "ephemeral") == [kept["id"]]
