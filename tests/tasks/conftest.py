import pytest
from fastapi import FastAPI

from tests.factories import User, token_user
from tests.tasks.support import STYLES


@pytest.fixture(params=list(STYLES))
def style(request: pytest.FixtureRequest) -> str:
    """Each path style: `/tasks` and `/api/{user_id}/tasks`."""
    return str(request.param)


@pytest.fixture
def user(app: FastAPI) -> User:
    return token_user(app)


@pytest.fixture
def other_user(app: FastAPI) -> User:
    return token_user(app)
