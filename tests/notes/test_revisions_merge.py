"""The merge window (TEAMNOTES_REVISION_MERGE_SECONDS, API.md §9): one user's quick
edits share a revision; another user's, a later one's, a move's and a restore's
do not. On the default deployment (300 s)."""

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.kit.db import utcnow
from teamnotes.notes import service
from tests.factories import User, make_note, token_user
from tests.trash.support import (
    deleted,
    edited,
    make_in,
    revisions_of,
    team_with,
    versions_kept,
)


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


class TestMergeWindow:
    async def test_the_same_users_edits_within_it_replace_the_revision(
        self, client: httpx.AsyncClient, alice: User
    ) -> None:
        note = await make_note(client, alice, title="One")
        path = f"/notes/{note['id']}"
        await edited(client, alice, path, title="Two")
        last = await edited(client, alice, path, title="Three", content="all of it")
        # The current version is always there, and only it: 1 and 2 were replaced.
        assert await revisions_of(client, alice, path) == [
            {
                "version": 3,
                "title": "Three",
                "updated_at": last["updated_at"],
                "updated_by": alice.id,
                "content_length": 9,
            }
        ]
        for version in (1, 2):
            gone = await client.get(f"{path}/revisions/{version}", headers=alice.headers)
            assert gone.status_code == 404, gone.text

    async def test_another_users_edit_adds_one(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        team, people = await team_with(app, client, alice, bob="editor")
        made = await make_in(client, alice, f"/workspaces/{team}/notes", title="One")
        path = f"/workspaces/{team}/notes/{made['id']}"
        bob = people["bob"]
        await edited(client, bob, path, title="Bob's")
        await edited(client, alice, path, title="Alice's")
        await edited(client, alice, path, title="Alice's again")
        revisions = await revisions_of(client, bob, path)
        assert [(r["version"], r["title"], r["updated_by"]) for r in revisions] == [
            (4, "Alice's again", alice.id),
            (2, "Bob's", bob.id),
            (1, "One", alice.id),
        ]

    async def test_an_edit_after_it_adds_one(
        self, client: httpx.AsyncClient, alice: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        note = await make_note(client, alice, title="One")
        path = f"/notes/{note['id']}"
        await edited(client, alice, path, title="Two")
        moments = iter([timedelta(seconds=299), timedelta(seconds=299 + 301)])
        start = utcnow()
        monkeypatch.setattr(service, "utcnow", lambda: start + next(moments))
        # 299 s after version 2: merged. 301 s after that: a revision of its own.
        await edited(client, alice, path, title="Three")
        await edited(client, alice, path, title="Four")
        assert await versions_kept(client, alice, path) == [4, 3]


class TestWhatNeverMerges:
    async def test_a_restore_from_the_trash(self, client: httpx.AsyncClient, alice: User) -> None:
        note = await make_note(client, alice, title="One")
        path = f"/notes/{note['id']}"
        await deleted(client, alice, path)
        await client.post(f"/trash/{note['id']}/restore", headers=alice.headers)
        revisions = await revisions_of(client, alice, path)
        assert [(r["version"], r["title"]) for r in revisions] == [(2, "One"), (1, "One")]
        # An edit right after the restore merges into it: its text is version 1's.
        await edited(client, alice, path, title="Two")
        assert await versions_kept(client, alice, path) == [3, 1]

    async def test_a_move_and_the_history_goes_along(
        self, app: FastAPI, client: httpx.AsyncClient, alice: User
    ) -> None:
        team, people = await team_with(app, client, alice, viewer="viewer")
        note = await make_note(client, alice, title="One")
        await edited(client, alice, f"/notes/{note['id']}", title="Two")
        moved = await client.post(
            f"/notes/{note['id']}/move", json={"workspace_id": team}, headers=alice.headers
        )
        assert moved.status_code == 200, moved.text
        there = f"/workspaces/{team}/notes/{note['id']}"
        revisions = await revisions_of(client, people["viewer"], there)
        assert [(r["version"], r["title"]) for r in revisions] == [(3, "Two"), (2, "Two")]
        left = await client.get(f"/notes/{note['id']}/revisions", headers=alice.headers)
        assert left.status_code == 404, left.text
