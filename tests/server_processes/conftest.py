from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import Servers


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    started = Servers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
