"""Ids that are not a note's canonical id, on every item route (API.md §1)."""

import httpx
import pytest

from tests.factories import User, make_note, without_request_id
from tests.notes.support import ITEM_ROUTES, get_note, not_found_body, request


def malformed(note_id: str) -> list[str]:
    """Spellings that are not the canonical form of `note_id`, or not ids at all."""
    hex32 = note_id.replace("-", "")
    return [
        "nope",
        "1234",
        "0",
        "x" * 36,
        "0000000g-0000-7000-8000-000000000000",
        note_id.upper(),
        hex32,
        f"{{{note_id}}}",
        f"urn:{hex32}",
        f"-{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}{hex32[16:20]}-{hex32[20:]}",
        f"{note_id}0",
        note_id[:-1],
        "%00",
        "n" * 1000,
    ]


class TestMalformedIds:
    @pytest.mark.parametrize(("method", "body"), ITEM_ROUTES)
    async def test_malformed_id_is_404_like_a_missing_one(
        self,
        client: httpx.AsyncClient,
        alice: User,
        method: str,
        body: dict[str, str] | None,
    ) -> None:
        note = await make_note(client, alice)
        expected = await not_found_body(client, alice)
        for spelling in malformed(note["id"]):
            response = await request(client, method, f"/notes/{spelling}", alice, body)
            assert response.status_code == 404, (spelling, response.text)
            assert without_request_id(response.json()) == expected, spelling
        # No spelling reached the note.
        assert await get_note(client, alice, note["id"]) == note
