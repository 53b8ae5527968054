"""The search tests' module-scoped data: a corpus of notes or tasks, hostile queries' owners."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import User, make_note, make_task, token_user
from tests.notes.search.cases import CORPUS, HOSTILE_QUERIES
from tests.notes.search.support import Corpus


@pytest.fixture(scope="module")
async def corpus(app: FastAPI) -> AsyncIterator[Corpus]:
    """The corpus, created once per engine, owned by one user."""
    owner = await token_user(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        ids = {}
        for key, (title, content) in CORPUS.items():
            ids[key] = (await make_note(client, owner, title=title, content=content))["id"]
        yield Corpus(owner, ids)


@pytest.fixture(scope="module")
async def hostile_owners(app: FastAPI) -> AsyncIterator[tuple[User, set[str], User]]:
    """A user with a few notes, and another whose notes hold every hostile word."""
    caller, other = await token_user(app), await token_user(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        own = {
            (await make_note(client, caller, title="Salt and pepper", content="near"))["id"],
            (await make_note(client, caller, title="Not today", content="or tomorrow"))["id"],
        }
        for query in HOSTILE_QUERIES[:60]:
            await make_note(client, other, title="Salt and pepper", content=query)
        yield caller, own, other


@pytest.fixture(scope="module")
async def task_corpus(app: FastAPI) -> AsyncIterator[Corpus]:
    """The notes' corpus as tasks: the content becomes the description (or null)."""
    owner = await token_user(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        ids = {}
        for key, (title, content) in CORPUS.items():
            task = await make_task(client, owner, title=title, description=content or None)
            ids[key] = task["id"]
        yield Corpus(owner, ids)
