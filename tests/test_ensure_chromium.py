"""scripts/ensure-chromium, which `make test` runs first: a machine without Debian's
chromium installs it, one with it is left alone."""

from pathlib import Path

from tests.test_scripts import path_without, run_dry

SCRIPT = "scripts/ensure-chromium"


def test_a_machine_without_chromium_installs_it(tmp_path: Path) -> None:
    result = run_dry(SCRIPT, path_without(tmp_path, "chromium"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "ensure-chromium:",
        "installing",
        "chromium",
        "fonts-dejavu-core",
    ]


def test_a_machine_with_chromium_installs_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    chromium = folder / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    result = run_dry(SCRIPT, str(folder))
    assert (result.returncode, result.stdout) == (0, "")
