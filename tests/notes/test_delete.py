"""DELETE /notes/{id} (API.md §3)."""

import httpx

from tests.factories import User, make_note, without_request_id
from tests.notes.support import list_ids, not_found_body


class TestDeleteNote:
    async def test_deletes_the_note(self, client: httpx.AsyncClient, alice: User) -> None:
        keep = await make_note(client, alice, title="keep")
        gone = await make_note(client, alice, title="gone")
        response = await client.delete(f"/notes/{gone['id']}", headers=alice.headers)
        assert response.status_code == 204
        assert response.content == b""
        assert await list_ids(client, alice) == [keep["id"]]
        again = await client.delete(f"/notes/{gone['id']}", headers=alice.headers)
        assert without_request_id(again.json()) == await not_found_body(client, alice)
