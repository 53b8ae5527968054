from collections.abc import AsyncIterator

import pytest

from tests.auth.throttling import REDIS_URL, Instances, Names, delete_redis_keys
from tests.conftest import running_app

STORES = ["database", "redis"]


@pytest.fixture
async def names() -> AsyncIterator[Names]:
    """Emails and addresses of this test's own; their Redis keys go afterwards."""
    owned = Names()
    yield owned
    await delete_redis_keys(owned.used)


@pytest.fixture(scope="module", params=STORES)
async def instances(
    request: pytest.FixtureRequest, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Instances]:
    """On each store, two apps sharing it."""
    overrides = {"redis_url": REDIS_URL} if request.param == "redis" else {}
    async with (
        running_app(database_url, tmp_path_factory, **overrides) as one,
        running_app(database_url, tmp_path_factory, **overrides) as two,
    ):
        yield Instances(request.param, one, two)
