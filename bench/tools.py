"""The load generators: wrk (closed loop, Lua scripts in bench/lua/) and Debian's hey
(open loop), installed with apt-get when missing."""

import os
import shutil
import subprocess

from .shared import log


def ensure_tools() -> dict[str, str]:
    """wrk and hey, installed with apt-get when missing; their versions."""
    missing = [tool for tool in ("wrk", "hey") if shutil.which(tool) is None]
    if missing:
        log(f"installing {' '.join(missing)} (Debian packages)")
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, timeout=180, env=env)
        subprocess.run(
            [*sudo, "apt-get", "install", "-y", "-qq", *missing],
            check=True,
            timeout=300,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10, check=False)
    hey = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", "hey"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return {
        "wrk": (wrk.stdout + wrk.stderr).splitlines()[0].strip(),
        "hey": f"hey {hey.stdout.strip() or '(not from dpkg)'}",
    }
