import httpx

from tests.factories import make_note, make_user


async def test_a_user_keeps_a_note(client: httpx.AsyncClient) -> None:
    user = await make_user(client)
    note = await make_note(client, user, title="Hello")
    response = await client.get(f"/notes/{note['id']}", headers=user.headers)
    assert response.status_code == 200
    assert response.json() == note
