"""A registered account, logged in once, for each test of its own changes."""

import httpx
import pytest

from tests.auth.account_changes.support import Account, new_account


@pytest.fixture
async def account(client: httpx.AsyncClient) -> Account:
    return await new_account(client)
