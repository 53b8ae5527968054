"""GET …/notes/{id}/revisions and …/revisions/{version} (API.md §9): a note's history."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import User, make_note, token_user, without_request_id
from tests.trash.support import (
    MISSING_ID,
    app_fixture,
    client_of,
    deleted,
    edited,
    make_in,
    revisions_of,
    team_with,
    versions_kept,
)

# A deployment that keeps every version.
every_version = app_fixture(revision_merge_seconds=0)


@pytest.fixture
async def client(every_version: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(every_version) as made:
        yield made


@pytest.fixture
async def alice(every_version: FastAPI) -> User:
    return await token_user(every_version)


class TestListRevisions:
    async def test_with_no_merge_window_every_version_newest_first(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        first = await make_note(client, alice, title="Café", content="naïve ☕")
        path = f"/notes/{first['id']}"
        second = await edited(client, alice, path, title="Second")
        replaced = await client.put(
            path, json={"title": "Third", "content": ""}, headers=alice.headers
        )
        third = replaced.json()
        assert await revisions_of(client, alice, path) == [
            {
                "version": note["version"],
                "title": note["title"],
                "updated_at": note["updated_at"],
                "updated_by": alice.id,
                "content_length": length,
            }
            for note, length in ((third, 0), (second, 7), (first, 7))
        ]

    async def test_a_write_that_changes_nothing_adds_nothing(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="Same")
        await edited(client, alice, f"/notes/{note['id']}", title="Same")
        assert await versions_kept(client, alice, f"/notes/{note['id']}") == [1]

    async def test_pages(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice)
        path = f"/notes/{note['id']}"
        for title in ("Two", "Three"):
            await edited(client, alice, path, title=title)
        pages = [
            (
                await client.get(
                    f"{path}/revisions",
                    params={"limit": 2, "offset": offset},
                    headers=alice.headers,
                )
            ).json()
            for offset in (0, 2, 3)
        ]
        assert [[r["version"] for r in page["items"]] for page in pages] == [[3, 2], [1], []]
        assert [page["total"] for page in pages] == [3, 3, 3]
        bad = await client.get(f"{path}/revisions", params={"limit": 101}, headers=alice.headers)
        assert bad.status_code == 422, bad.text

    async def test_a_note_in_the_trash_has_none_until_restored(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        await deleted(client, alice, f"/notes/{note['id']}")
        for path in (f"/notes/{note['id']}/revisions", f"/notes/{note['id']}/revisions/1"):
            hidden = await client.get(path, headers=alice.headers)
            assert hidden.status_code == 404, hidden.text
            assert hidden.json()["detail"] == "Note not found"
        await client.post(f"/trash/{note['id']}/restore", headers=alice.headers)
        assert await versions_kept(client, alice, f"/notes/{note['id']}") == [2, 1]

    @pytest.mark.parametrize("note_id", ["theirs", MISSING_ID, "not-a-uuid"])
    async def test_another_users_or_no_note_is_the_same_404(
        self, every_version: FastAPI, client: httpx.AsyncClient, alice: User, note_id: str
    ) -> None:
        theirs = await make_note(client, await token_user(every_version))
        note_id = theirs["id"] if note_id == "theirs" else note_id
        for path in (f"/notes/{note_id}/revisions", f"/notes/{note_id}/revisions/1"):
            missing = await client.get(path, headers=alice.headers)
            assert missing.status_code == 404, missing.text
            unknown = await client.get(path.replace(note_id, MISSING_ID), headers=alice.headers)
            assert without_request_id(missing.json()) == without_request_id(unknown.json())

    async def test_anonymous_is_401(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice)
        anonymous = await client.get(f"/notes/{note['id']}/revisions")
        assert anonymous.status_code == 401, anonymous.text


class TestReadRevision:
    async def test_the_title_and_content_at_that_version(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        first = await make_note(client, alice, title="One", content="first words")
        path = f"/notes/{first['id']}"
        await edited(client, alice, path, title="Two", content="second words")
        read = await client.get(f"{path}/revisions/1", headers=alice.headers)
        assert read.status_code == 200, read.text
        assert read.json() == {
            "version": 1,
            "title": "One",
            "content": "first words",
            "updated_at": first["updated_at"],
            "updated_by": alice.id,
        }
        current = await client.get(f"{path}/revisions/2", headers=alice.headers)
        assert current.json()["content"] == "second words"

    @pytest.mark.parametrize("version", ["3", "0", "-1", "01x", "1.0", "99999999999", "٣"])
    async def test_a_version_not_kept_is_404(
        self, client: httpx.AsyncClient, alice: User, version: str
    ) -> None:
        note = await make_note(client, alice)
        await edited(client, alice, f"/notes/{note['id']}", title="Two")
        missing = await client.get(
            f"/notes/{note['id']}/revisions/{version}", headers=alice.headers
        )
        assert missing.status_code == 404, missing.text
        assert missing.json()["detail"] == "Revision not found"
        assert missing.json()["error_code"] == "not_found"


class TestInATeam:
    async def test_a_viewer_lists_and_reads_and_an_outsider_gets_404(
        self, every_version: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        team, people = await team_with(every_version, client, alice, viewer="viewer")
        base = f"/workspaces/{team}/notes"
        made = await make_in(client, alice, base, title="Plan")
        path = f"{base}/{made['id']}"
        await edited(client, alice, path, content="more")
        viewer = people["viewer"]
        assert await versions_kept(client, viewer, path) == [2, 1]
        read = await client.get(f"{path}/revisions/1", headers=viewer.headers)
        assert read.status_code == 200, read.text
        assert read.json()["title"] == "Plan"
        outsider = await token_user(every_version)
        for each in (f"{path}/revisions", f"{path}/revisions/1"):
            refused = await client.get(each, headers=outsider.headers)
            assert refused.status_code == 404, refused.text
            assert refused.json()["detail"] == "Workspace not found"
        # The team's note is no note of alice's personal workspace.
        personal = await client.get(f"/notes/{made['id']}/revisions", headers=alice.headers)
        assert personal.status_code == 404, personal.text
        assert personal.json()["detail"] == "Note not found"


class TestConcurrentEdits:
    async def test_every_version_is_kept_once_with_its_own_text(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice)
        path = f"/notes/{note['id']}"
        answers = await asyncio.gather(
            *(
                client.patch(path, json={"content": f"edit {i}"}, headers=alice.headers)
                for i in range(8)
            )
        )
        assert [answer.status_code for answer in answers] == [200] * 8
        assert await versions_kept(client, alice, path) == list(range(9, 0, -1))
        for answer in answers:
            version = answer.json()["version"]
            kept = await client.get(f"{path}/revisions/{version}", headers=alice.headers)
            assert kept.json()["content"] == answer.json()["content"]
