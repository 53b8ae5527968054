"""What a run ran on, for the report's header: the machine, the commit, the versions."""

import os
import platform
import re
import subprocess
from importlib.metadata import version

from .resources import read_proc
from .shared import ROOT


def machine_description() -> str:
    model = ""
    for line in read_proc("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = re.search(r"MemTotal:\s+(\d+)", read_proc("/proc/meminfo"))
    gib = int(memory[1]) / 1024 / 1024 if memory else 0
    return f"{os.cpu_count()} cores ({model or platform.machine()}), {gib:.0f} GiB"


def git_commit() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False
        )
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src")
    return f"commit {head}" + (" + uncommitted changes in src/" if dirty else "")


def versions(tools: dict[str, str]) -> str:
    packages = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "aiosqlite", "asyncpg")
    listed = ", ".join(f"{name} {version(name)}" for name in packages)
    return f"Python {platform.python_version()}, {listed}, {tools['wrk']}, {tools['hey']}"
