"""GET /events and /workspaces/{id}/events (API.md §8): what a stream says, and resuming."""

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from teamnotes.app import housekeeping_jobs
from teamnotes.config import Settings
from teamnotes.housekeeping import run_once
from teamnotes.kit.db import utcnow
from tests.changes.conftest import KEEPALIVE
from tests.changes.helpers import feed_page, follow_feed, join, team
from tests.changes.sse import open_events
from tests.factories import User, make_note, make_task, token_user

RESUME = ["header", "query"]


def resume_from(how: str, cursor: str) -> tuple[dict[str, str], dict[str, str]]:
    """The extra headers and the query parameters that resume after `cursor`."""
    if how == "header":
        return {"Last-Event-ID": cursor}, {}
    return {}, {"cursor": cursor}


class TestFormat:
    async def test_each_change_with_a_cursor_just_after_it(
        self, client: httpx.AsyncClient, live: httpx.AsyncClient, alice: User
    ) -> None:
        _, before = await follow_feed(client, "", alice, None)
        async with open_events(live, "/events", alice.headers) as stream:
            assert stream.response.headers["content-type"].startswith("text/event-stream")
            assert stream.response.headers["cache-control"] == "no-store"
            note = await make_note(client, alice)
            task = await make_task(client, alice)
            first, second = await stream.changes(2)
        assert first.fields["event"] == second.fields["event"] == "change"
        assert [first.change["id"], second.change["id"]] == [note["id"], task["id"]]
        # `data` is the feed's change, one JSON line (a second line would be a field).
        assert [line for line in stream.raw if line.startswith("data:")] == [
            f"data: {block.fields['data']}" for block in (first, second)
        ]
        assert [first.change, second.change] == (await feed_page(client, "", alice, before))[
            "changes"
        ]
        assert first.change["item"] == note
        # Its id resumes the feed just after it: the next change, then nothing.
        assert (await feed_page(client, "", alice, first.id))["changes"] == [second.change]
        assert (await feed_page(client, "", alice, second.id))["changes"] == []

    async def test_without_a_cursor_only_changes_from_now_on(
        self, client: httpx.AsyncClient, live: httpx.AsyncClient, alice: User
    ) -> None:
        await make_note(client, alice, title="Before")
        async with open_events(live, "/events", alice.headers) as stream:
            after = await make_note(client, alice, title="After")
            block = await stream.change()
        assert block.change["id"] == after["id"]

    async def test_a_workspace_stream_for_a_viewer(
        self, client: httpx.AsyncClient, live: httpx.AsyncClient, alice: User, app: FastAPI
    ) -> None:
        workspace = await team(client, alice)
        viewer = await token_user(app)
        await join(client, alice, viewer, workspace, role="viewer")
        path = f"/workspaces/{workspace}/events"
        async with open_events(live, path, viewer.headers) as stream:
            made = await client.post(
                f"/workspaces/{workspace}/tasks", json={"title": "T"}, headers=alice.headers
            )
            assert made.status_code == 201, made.text
            block = await stream.change()
        assert block.change["item"] == made.json()
        outsider = await token_user(app)
        response = await live.get(path, headers=outsider.headers)
        assert response.status_code == 404, response.text


class TestResuming:
    @pytest.mark.parametrize("how", RESUME)
    async def test_after_a_disconnect_nothing_is_missed(
        self, client: httpx.AsyncClient, live: httpx.AsyncClient, alice: User, how: str
    ) -> None:
        note = await make_note(client, alice)
        async with open_events(live, "/events", alice.headers) as stream:
            await client.patch(f"/notes/{note['id']}", json={"title": "1"}, headers=alice.headers)
            last = await stream.change()
        # While no stream is open: a change to the same note, a new task, a deletion.
        await client.patch(f"/notes/{note['id']}", json={"title": "2"}, headers=alice.headers)
        task = await make_task(client, alice)
        gone = await make_task(client, alice)
        await client.delete(f"/tasks/{gone['id']}", headers=alice.headers)
        headers, params = resume_from(how, last.id)
        async with open_events(live, "/events", alice.headers | headers, **params) as stream:
            missed = await stream.changes(3)
            expected, _ = await follow_feed(client, "", alice, last.id)
        assert [block.change for block in missed] == expected
        assert [(c["id"], c["action"], c["version"]) for c in expected] == [
            (note["id"], "upsert", 3),
            (task["id"], "upsert", 1),
            (gone["id"], "delete", 1),
        ]

    @pytest.mark.parametrize("how", RESUME)
    async def test_from_a_feed_cursor(
        self, client: httpx.AsyncClient, live: httpx.AsyncClient, alice: User, how: str
    ) -> None:
        await make_note(client, alice)
        _, cursor = await follow_feed(client, "", alice, None)
        later = await make_note(client, alice)
        headers, params = resume_from(how, cursor)
        async with open_events(live, "/events", alice.headers | headers, **params) as stream:
            block = await stream.change()
        assert block.change["item"] == later

    async def test_last_event_id_wins_over_the_query(
        self, client: httpx.AsyncClient, live: httpx.AsyncClient, alice: User
    ) -> None:
        # A browser's EventSource reconnects to the same URL with the header it last
        # saw: the header is the newer of the two.
        _, old = await follow_feed(client, "", alice, None)
        await make_note(client, alice, title="Seen")
        _, newer = await follow_feed(client, "", alice, old)
        unseen = await make_note(client, alice, title="Unseen")
        headers = alice.headers | {"Last-Event-ID": newer}
        async with open_events(live, "/events", headers, cursor=old) as stream:
            block = await stream.change()
        assert block.change["id"] == unseen["id"]


class TestRefusals:
    @pytest.mark.parametrize("how", RESUME)
    @pytest.mark.parametrize("cursor", ["nonsense", "AAAA", "x" * 100])
    async def test_a_malformed_cursor_is_422(
        self, live: httpx.AsyncClient, alice: User, how: str, cursor: str
    ) -> None:
        headers, params = resume_from(how, cursor)
        response = await live.get("/events", headers=alice.headers | headers, params=params)
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["error_code"] == "validation_error"
        assert body["field"] == ("header.Last-Event-ID" if how == "header" else "query.cursor")

    @pytest.mark.parametrize("how", RESUME)
    async def test_another_workspaces_cursor_is_422(
        self, client: httpx.AsyncClient, live: httpx.AsyncClient, alice: User, how: str
    ) -> None:
        workspace = await team(client, alice)
        _, theirs = await follow_feed(client, f"/workspaces/{workspace}", alice, None)
        headers, params = resume_from(how, theirs)
        response = await live.get("/events", headers=alice.headers | headers, params=params)
        assert response.status_code == 422, response.text

    @pytest.mark.parametrize("how", RESUME)
    async def test_a_cursor_past_the_horizon_is_410(
        self,
        client: httpx.AsyncClient,
        live: httpx.AsyncClient,
        alice: User,
        app: FastAPI,
        how: str,
    ) -> None:
        workspace = await team(client, alice)
        note = await make_note(client, alice)
        _, cursor = await follow_feed(client, "", alice, None)
        moved = await client.post(
            f"/notes/{note['id']}/move", json={"workspace_id": workspace}, headers=alice.headers
        )
        assert moved.status_code == 200, moved.text
        jobs = housekeeping_jobs(Settings(changes_retention_days=1e-9))
        await run_once(app.state.database, jobs, utcnow() + timedelta(seconds=1))
        headers, params = resume_from(how, cursor)
        response = await live.get("/events", headers=alice.headers | headers, params=params)
        assert response.status_code == 410, response.text
        assert response.json()["error_code"] == "resync_required"


class TestKeepalive:
    async def test_a_comment_every_keepalive_while_nothing_happens(
        self, brisk: httpx.AsyncClient, brisk_app: FastAPI
    ) -> None:
        user = await token_user(brisk_app)
        async with open_events(brisk, "/events", user.headers) as stream:
            opening = await stream.next()
            seen = await stream.quiet(8 * KEEPALIVE)
        assert opening is not None
        assert opening.fields == {"retry": "2000"}
        assert seen, "no keepalive"
        assert all(block.comments == ["keepalive"] and not block.fields for block in seen)
        # About eight were due; a loaded machine may delay some, never skip them all.
        assert len(seen) >= 3, stream.raw

    async def test_also_while_wakes_bring_nothing_new(
        self, brisk: httpx.AsyncClient, brisk_app: FastAPI
    ) -> None:
        user = await token_user(brisk_app)
        note = await make_note(brisk, user, title="Same")
        async with open_events(brisk, "/events", user.headers) as stream:
            await stream.next()

            async def rewrite() -> None:
                # Writes that change nothing: each takes a feed position and wakes
                # the stream, which finds no change to send.
                for _ in range(40):
                    same = await brisk.patch(
                        f"/notes/{note['id']}", json={"title": "Same"}, headers=user.headers
                    )
                    assert same.json()["version"] == 1
                    await asyncio.sleep(KEEPALIVE / 4)

            writing = asyncio.create_task(rewrite())
            seen = await stream.quiet(8 * KEEPALIVE)
            await writing
        assert all(block.comments == ["keepalive"] for block in seen), stream.raw
        assert len(seen) >= 3, stream.raw
