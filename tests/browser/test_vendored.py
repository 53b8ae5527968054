"""The vendored files are the ones VENDORED.md names: every digest it records
matches its file, and every file beside it is recorded."""

import hashlib
import re
from pathlib import Path

import pytest

import teamnotes.web
from tests.browser.helpers import HERE

DIRECTORIES = [Path(teamnotes.web.__file__).parent / "vendor", HERE / "vendor"]
ROW = re.compile(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", re.M)


@pytest.mark.parametrize("directory", DIRECTORIES, ids=lambda path: path.parent.name)
def test_every_file_has_its_recorded_digest(directory: Path) -> None:
    recorded = dict(ROW.findall((directory / "VENDORED.md").read_text(encoding="utf-8")))
    present = {path.name for path in directory.iterdir() if path.name != "VENDORED.md"}
    assert set(recorded) == present
    for name, digest in recorded.items():
        assert hashlib.sha256((directory / name).read_bytes()).hexdigest() == digest, name
