"""Searching through the API, and the corpus a search runs against."""

from typing import Any

import httpx

from tests.factories import User


async def search(client: httpx.AsyncClient, user: User, q: str, **params: Any) -> httpx.Response:
    return await client.get("/notes", params={"q": q, **params}, headers=user.headers)


async def found_ids(client: httpx.AsyncClient, user: User, q: str, **params: Any) -> list[str]:
    response = await search(client, user, q, limit=100, **params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"]), body
    return [item["id"] for item in body["items"]]


class Corpus:
    def __init__(self, user: User, ids: dict[str, str]) -> None:
        self.user = user
        self.ids = ids
        self.keys = {note_id: key for key, note_id in ids.items()}
