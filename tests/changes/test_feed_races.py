"""Reads of the feed overtaken by what happens meanwhile: a prune of its deletes
(API.md §8: nothing is skipped, or 410), a database gone in the middle of a stream."""

import asyncio
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event

from teamnotes.app import housekeeping_jobs
from teamnotes.config import Settings
from teamnotes.housekeeping import run_once
from teamnotes.kit.db import Database, utcnow
from tests.changes.helpers import follow_feed, team
from tests.changes.sse import open_events
from tests.factories import User, make_note


def prune_every_tombstone(url: str) -> None:
    """The housekeeping prune with a retention shorter than any tombstone's age, run
    to its commit on a connection (and a thread) of its own."""

    async def prune() -> None:
        database = Database(url)
        try:
            jobs = housekeeping_jobs(Settings(changes_retention_days=1e-9))
            await run_once(database, jobs, utcnow() + timedelta(seconds=1))
        finally:
            await database.dispose()

    worker = threading.Thread(target=asyncio.run, args=(prune(),))
    worker.start()
    worker.join()


@contextmanager
def pruned_before_the_tombstones_are_read(app: FastAPI, url: str) -> Iterator[list[str]]:
    """Once, just before the app reads tombstones, the prune commits."""
    engine = app.state.database.reader.sync_engine
    fired: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not fired and "FROM change_tombstone" in statement:
            fired.append(statement)
            prune_every_tombstone(url)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield fired
    finally:
        event.remove(engine, "before_cursor_execute", before)


async def a_missed_delete(client: httpx.AsyncClient, alice: User) -> tuple[str, str]:
    """A cursor, and a note that left the workspace after it (a tombstone)."""
    workspace = await team(client, alice)
    note = await make_note(client, alice)
    _, cursor = await follow_feed(client, "", alice, None)
    moved = await client.post(
        f"/notes/{note['id']}/move", json={"workspace_id": workspace}, headers=alice.headers
    )
    assert moved.status_code == 200, moved.text
    return cursor, note["id"]


class TestPruneDuringARead:
    async def test_the_feed_answers_410_or_the_delete(
        self, client: httpx.AsyncClient, app: FastAPI, alice: User, database_url: str
    ) -> None:
        cursor, note_id = await a_missed_delete(client, alice)
        with pruned_before_the_tombstones_are_read(app, database_url) as fired:
            response = await client.get(
                "/changes", params={"cursor": cursor}, headers=alice.headers
            )
        assert fired
        if response.status_code == 200:  # the read saw the tombstone after all
            deletes = [c["id"] for c in response.json()["changes"] if c["action"] == "delete"]
            assert deletes == [note_id], response.text
        else:
            assert response.status_code == 410, response.text

    async def test_a_stream_sends_the_delete_or_ends_for_a_resync(
        self,
        client: httpx.AsyncClient,
        live: httpx.AsyncClient,
        app: FastAPI,
        alice: User,
        database_url: str,
    ) -> None:
        cursor, note_id = await a_missed_delete(client, alice)
        with pruned_before_the_tombstones_are_read(app, database_url) as fired:
            async with open_events(live, "/events", alice.headers, cursor=cursor) as stream:
                await stream.next()  # the opening block
                block = await stream.next()  # a change, or None: the stream ended
        assert fired
        if block is not None:
            assert (block.change["id"], block.change["action"]) == (note_id, "delete")
        else:
            resumed = await live.get("/events", params={"cursor": cursor}, headers=alice.headers)
            assert resumed.status_code == 410, resumed.text


class TestDatabaseLostMidStream:
    async def test_the_stream_ends_quietly_and_resumes(
        self,
        client: httpx.AsyncClient,
        live: httpx.AsyncClient,
        app: FastAPI,
        alice: User,
        logged: list[logging.LogRecord],
    ) -> None:
        engine = app.state.database.reader.sync_engine
        broken: list[str] = []

        def unreachable(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            # The stream's next look at the feed meets a database that went away.
            if not broken and "feed_horizon" in statement:
                broken.append(statement)
                raise ConnectionResetError("the database server went away")

        _, cursor = await follow_feed(client, "", alice, None)
        async with open_events(live, "/events", alice.headers) as stream:
            await stream.next()
            event.listen(engine, "before_cursor_execute", unreachable)
            try:
                note = await make_note(client, alice)
                assert await stream.ended() == []
            finally:
                event.remove(engine, "before_cursor_execute", unreachable)
        assert broken
        assert not [record for record in logged if record.levelno >= logging.ERROR]
        # Back, from where it was: nothing missed.
        async with open_events(live, "/events", alice.headers, cursor=cursor) as again:
            assert (await again.change()).change["item"] == note
