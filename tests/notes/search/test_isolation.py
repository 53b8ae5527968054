"""A search finds only the caller's notes."""

import secrets

import httpx

from tests.factories import User, make_note
from tests.notes.search.support import found_ids


class TestSearchIsolation:
    async def test_another_users_matching_notes_never_appear(
        self, client: httpx.AsyncClient, alice: User, bob: User
    ) -> None:
        word = f"shared{secrets.token_hex(4)}"
        alices = {(await make_note(client, alice, title=f"{word} alice"))["id"]}
        bobs = {(await make_note(client, bob, title=f"{word} bob", content=word))["id"]}
        assert set(await found_ids(client, alice, word)) == alices
        assert set(await found_ids(client, bob, word)) == bobs
        assert await found_ids(client, alice, f"{word} bob") == []
