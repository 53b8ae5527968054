import pytest
from fastapi import FastAPI

from tests.factories import User, token_user
from tests.tasks.support import STYLES


@pytest.fixture(params=list(STYLES))
def style(request: pytest.FixtureRequest) -> str:
    """Each path style: `/tasks` and `/api/{user_id}/tasks`."""
    return str(request.param)


@pytest.fixture
async def user(app: FastAPI) -> User:
    return await token_user(app)


@pytest.fixture
async def other_user(app: FastAPI) -> User:
    return await token_user(app)
