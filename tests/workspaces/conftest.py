from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.external.apps import relying_app
from tests.auth.external.provider import ed25519_key, jwks_server
from tests.factories import User, token_user
from tests.workspaces.support import make_team


@pytest.fixture
async def owner(app: FastAPI) -> User:
    return await token_user(app)


@pytest.fixture
async def team(client: httpx.AsyncClient, owner: User) -> str:
    """A team workspace of `owner`'s."""
    return str((await make_team(client, owner))["id"])


@pytest.fixture(scope="module")
async def provider(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Any, FastAPI]]:
    """An identity provider's signing key, and an app that trusts it."""
    key = ed25519_key()
    with jwks_server([key]) as server:
        async with relying_app(database_url, tmp_path_factory, server.url) as application:
            yield key, application
