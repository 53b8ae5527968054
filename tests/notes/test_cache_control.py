"""Cache-Control on the notes routes (API.md §5): nothing is ever stored."""

import httpx
import pytest

from tests.factories import User, make_note
from tests.notes.support import ALL_ROUTES, missing_id, request


class TestCacheControl:
    @pytest.mark.parametrize(("method", "path", "body"), ALL_ROUTES)
    async def test_authenticated_responses_are_no_store(
        self,
        client: httpx.AsyncClient,
        alice: User,
        method: str,
        path: str,
        body: dict[str, str] | None,
    ) -> None:
        note = await make_note(client, alice)
        response = await request(client, method, path.format(id=note["id"]), alice, body)
        assert response.status_code < 300
        assert response.headers["Cache-Control"] == "no-store"

    async def test_errors_and_not_modified_are_no_store(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        responses = [
            await client.get(f"/notes/{missing_id()}", headers=alice.headers),
            await client.get(
                f"/notes/{note['id']}", headers={**alice.headers, "If-None-Match": '"1"'}
            ),
            await client.get("/notes"),
        ]
        assert [response.status_code for response in responses] == [404, 304, 401]
        for response in responses:
            assert response.headers["Cache-Control"] == "no-store"
