"""The tool checks of `scripts/`: a machine without a tool installs it.

The scripts wrap some tools in shell functions of the same name (`podman` runs under
`timeout`). A check written `command -v podman` is answered by that function, so a
machine without podman never installed it; the checks ask `type -P` instead. These
tests run the real scripts with a PATH that lacks the tools and see the install
branch taken (`TOOLS_DRY_RUN` stops it there, before anything is installed).
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_BIN = ("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin")


def path_without(tmp_path: Path, *tools: str) -> str:
    """A PATH of one folder with every system executable but `tools`."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for directory in SYSTEM_BIN:
        if not os.path.isdir(directory):
            continue
        for entry in os.scandir(directory):
            target = folder / entry.name
            if entry.name in tools or target.exists() or not os.access(entry.path, os.X_OK):
                continue
            target.symlink_to(entry.path)
    return str(folder)


def run_dry(script: str, path: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": path, "HOME": os.environ.get("HOME", "/root"), "TOOLS_DRY_RUN": "1"}
    return subprocess.run(
        ["/bin/bash", str(ROOT / script), "build"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


class TestImageTestTools:
    def test_missing_podman_is_installed_although_a_podman_function_exists(
        self, tmp_path: Path
    ) -> None:
        script = (ROOT / "scripts/image-test").read_text()
        assert "podman() {" in script  # the wrapper the check must not be fooled by
        result = run_dry("scripts/image-test", path_without(tmp_path, "podman", "runc"))
        assert result.returncode == 0, result.stderr
        installing = next(line for line in result.stdout.splitlines() if "installing" in line)
        assert "podman" in installing.split()
        assert "runc" in installing.split()

    @pytest.mark.parametrize("script", ["scripts/image-test", "scripts/lint-workflows"])
    def test_no_check_asks_command_v(self, script: str) -> None:
        # `command -v NAME` is answered by a function or alias of that name.
        assert "command -v" not in (ROOT / script).read_text()
