"""The two users most notes tests need: each a fresh account of its own."""

import pytest
from fastapi import FastAPI

from tests.factories import User, token_user


@pytest.fixture
async def alice(app: FastAPI) -> User:
    return await token_user(app)


@pytest.fixture
async def bob(app: FastAPI) -> User:
    return await token_user(app)
