"""The data under load: users with their tasks, notes and API keys, a team workspace,
and a crowd of other users' notes for the crowded search, inserted in big Core
INSERTs with the application's own tables; tokens minted as the app would."""

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from teamnotes.auth.api_keys import ApiKey
from teamnotes.auth.models import User
from teamnotes.auth.passwords import dummy_hash
from teamnotes.auth.tokens import TokenIssuer
from teamnotes.kit.db import Base
from teamnotes.kit.urls import async_url
from teamnotes.notes.models import Note
from teamnotes.tasks.models import Task
from teamnotes.workspaces.models import Membership, Workspace

from .corpus import Corpus
from .rows import Row, Rows, api_key, note, personal_user, task, team_workspace

QUERIES = 300
# The crowded search: one user searches their notes for words that CROWD_FACTOR times
# as many notes as that user has also hold, all in other users' workspaces.
CROWD_FACTOR = 10
CROWDED_QUERIES = 50
CROWDED_SEARCHER = 0  # the user who searches, by index


@dataclass
class SeedPlan:
    users: int
    tasks_per_user: int
    notes_per_user: int


@dataclass
class Seeded:
    tokens: list[str]
    keys: list[str]  # an API key (scope read) per user
    notes: list[list[str]]
    tasks: list[list[str]]  # by slot: tasks[u][i] has order i + 1
    queries: list[str]
    crowded_queries: list[str]  # for CROWDED_SEARCHER: words of every note of the crowd
    crowd_notes: int
    seconds: float
    note_bytes: int  # of the users' own notes
    team: str  # a team workspace of TEAM_MEMBERS members, the first users
    team_notes: list[str]


async def seed(url: str, plan: SeedPlan, secret: str) -> Seeded:
    """The plan's users, then the queries, the crowd and the team, all inserted."""
    started = time.monotonic()
    corpus = Corpus(random.Random(20261123))
    now = datetime.now(UTC)
    issuer = TokenIssuer(
        secret=secret, access_ttl=timedelta(hours=2), refresh_ttl=timedelta(days=1)
    )
    rows = Rows(password_hash=dummy_hash())
    tokens, keys, user_ids, note_ids, task_ids = [], [], [], [], []
    # Each user's feed: the notes at its first positions, then the tasks.
    notes_at = range(1, plan.notes_per_user + 1)
    tasks_at = range(plan.notes_per_user + 1, plan.notes_per_user + plan.tasks_per_user + 1)
    for index in range(plan.users):
        created = now - timedelta(days=200, minutes=index)
        user_id, authorship = personal_user(
            rows, f"bench-user-{index}", created, len(notes_at) + len(tasks_at)
        )
        user_ids.append(user_id)
        tokens.append(issuer.access_token(user_id))
        keys.append(api_key(rows, user_id, created))
        note_ids.append([note(rows, corpus, authorship, seq, created) for seq in notes_at])
        task_ids.append(
            [
                task(rows, corpus, authorship, seq, order, created, now)
                for order, seq in enumerate(tasks_at, start=1)
            ]
        )
    note_bytes = sum(len(row["content"].encode()) for row in rows.notes)
    # Queries: made-up words beyond the most frequent, some as prefixes.
    plain_words = corpus.search_words(QUERIES)
    queries = [corpus.query(word) for word in plain_words]
    crowded_words = corpus.search_words(CROWDED_QUERIES, exclude=frozenset(plain_words))
    crowded_queries = [corpus.query(word) for word in crowded_words]
    crowd_notes = seed_crowd(rows, corpus, crowded_words, plan.notes_per_user, now)
    team, team_notes = team_workspace(rows, user_ids, now)
    await insert_rows(url, rows)
    return Seeded(
        tokens=tokens,
        keys=keys,
        notes=note_ids,
        tasks=task_ids,
        queries=queries,
        crowded_queries=crowded_queries,
        crowd_notes=crowd_notes,
        seconds=time.monotonic() - started,
        note_bytes=note_bytes,
        team=team,
        team_notes=team_notes,
    )


def seed_crowd(
    rows: Rows, corpus: Corpus, crowded_words: list[str], notes_per_user: int, now: datetime
) -> int:
    """CROWD_FACTOR users of notes_per_user notes each, in their personal workspaces
    (none of them in the load's data), every note also holding every crowded word:
    what an index not scoped to the searcher's workspace would have to rank. How many
    notes that makes."""
    bank = [corpus.paragraph_of(crowded_words) for _ in range(20)]
    for index in range(CROWD_FACTOR):
        created = now - timedelta(days=100, minutes=index)
        _, authorship = personal_user(rows, f"bench-crowd-{index}", created, notes_per_user)
        for seq in range(1, notes_per_user + 1):
            note(rows, corpus, authorship, seq, created, extra=corpus.rng.choice(bank))
    return CROWD_FACTOR * notes_per_user


async def insert_rows(url: str, rows: Rows) -> None:
    batches: list[tuple[type[Base], list[Row], int]] = [
        (User, rows.users, 2000),
        (Workspace, rows.workspaces, 2000),
        (Membership, rows.memberships, 2000),
        (ApiKey, rows.api_keys, 2000),
        (Note, rows.notes, 2000),
        (Task, rows.tasks, 5000),
    ]
    engine = create_async_engine(async_url(url))
    try:
        async with engine.begin() as connection:
            for model, table_rows, size in batches:
                table = cast(Table, model.__table__)
                for start in range(0, len(table_rows), size):
                    await connection.execute(insert(table), table_rows[start : start + size])
        if engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load, done now so the plans are
            # the steady state's. SQLite gets no ANALYZE: the service never runs one.
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()


def write_lua_data(seeded: Seeded, path: Path, *, keys: bool = False) -> None:
    """The data file that bench/lua/common.lua reads, with JWTs or (keys) API keys."""
    tokens = seeded.keys if keys else seeded.tokens
    with open(path, "w") as file:
        for token, notes, tasks in zip(tokens, seeded.notes, seeded.tasks, strict=True):
            file.write(f"U {token} {','.join(notes)} {','.join(tasks)}\n")
        for query in seeded.queries:
            file.write(f"Q {query}\n")
        file.write(f"T {seeded.team} {','.join(seeded.team_notes)}\n")
        file.write(f"C {tokens[CROWDED_SEARCHER]} {','.join(seeded.crowded_queries)}\n")
