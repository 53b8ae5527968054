"""Apps on the shared database and secret but with other settings, and a registered email."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.sessions.support import client_of
from tests.conftest import running_app
from tests.factories import PASSWORD, unique_email


@pytest.fixture(scope="module")
async def strict_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    """No grace window: a rotated refresh token presented again is always reuse."""
    async with running_app(database_url, tmp_path_factory, refresh_reuse_grace=0) as application:
        yield application


@pytest.fixture
async def strict(strict_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(strict_app) as http:
        yield http


@pytest.fixture
async def email(client: httpx.AsyncClient) -> str:
    """A registered account's email; its password is PASSWORD."""
    address = unique_email()
    response = await client.post("/auth/register", json={"email": address, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return address


@pytest.fixture(scope="module")
async def tabs_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    """A 10-second grace window (the default, set explicitly)."""
    async with running_app(database_url, tmp_path_factory, refresh_reuse_grace=10) as application:
        yield application


@pytest.fixture
async def tabs(tabs_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(tabs_app) as http:
        yield http


@pytest.fixture(scope="module")
async def provider_owned_app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    async with running_app(database_url, tmp_path_factory, local_auth=False) as application:
        yield application


@pytest.fixture
async def provider_owned(provider_owned_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(provider_owned_app) as http:
        yield http
