"""The export streams (API.md §10): a real `teamnotes serve --workers 1` exports a
workspace of 5,000 notes (80 MB of Markdown) while its resident memory is watched
from /proc. A server that built the zip, or read the notes, all at once would hold
more than the whole workspace; one that streams stays within a page of notes."""

import asyncio
import random
import zipfile
from pathlib import Path

import httpx
import pytest

from teamnotes.workspaces.gate import personal_workspace_id
from tests.factories import make_user
from tests.portability.support import ZIP, zipped
from tests.servers import Server, Servers

pytestmark = pytest.mark.slow

NOTES = 5_000
NOTE_BYTES = 16 * 1024
BOUND_MB = 30
WORDS = [f"{random.Random(n).getrandbits(40):x}" for n in range(2_000)]


def vault() -> bytes:
    """5,000 notes of 16 KiB of words, which compress about as prose does."""
    chance = random.Random(13)
    words = " ".join(chance.choice(WORDS) for _ in range(200_000))
    files = {}
    for number in range(NOTES):
        start = chance.randrange(len(words) - NOTE_BYTES)
        files[f"Note {number}.md"] = words[start : start + NOTE_BYTES]
    return zipped(files)


def resident_mb(server: Server) -> float:
    """The server process's resident set (workers=1: it serves in this one process)."""
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


async def download(http: httpx.AsyncClient, path: str, headers: dict[str, str], file: Path) -> None:
    async with http.stream("GET", path, headers=headers) as response:
        assert response.status_code == 200
        out = await asyncio.to_thread(file.open, "wb")
        with out:
            async for chunk in response.aiter_bytes():
                out.write(chunk)


class TestExportMemory:
    async def test_memory_stays_flat_while_a_large_workspace_streams(
        self, servers: Servers, fresh_database_url: str, tmp_path: Path
    ) -> None:
        options = {"database_url": fresh_database_url, "data_dir": tmp_path / "data", "workers": 1}
        server = await servers.start(**options)
        async with httpx.AsyncClient(base_url=server.url, timeout=300) as http:
            user = await make_user(http)
            body = await asyncio.to_thread(vault)
            imported = await http.post("/import", content=body, headers={**user.headers, **ZIP})
            assert imported.json()["notes"] == NOTES, imported.text
        # A fresh process, so that what the import took is not counted as idle.
        server.stop()
        server = await servers.start(**options)
        async with httpx.AsyncClient(base_url=server.url, timeout=300) as http:
            small = tmp_path / "small.zip"
            other = await make_user(http)
            await download(http, "/export", other.headers, small)  # every code path loaded
            idle = resident_mb(server)
            peak = idle
            finished = asyncio.Event()

            async def watch() -> None:
                nonlocal peak
                while not finished.is_set():
                    peak = max(peak, resident_mb(server))
                    await asyncio.sleep(0.02)

            watcher = asyncio.create_task(watch())
            large = tmp_path / "large.zip"
            workspace = personal_workspace_id(user.id)
            await download(http, f"/workspaces/{workspace}/export", user.headers, large)
            finished.set()
            await watcher
        with zipfile.ZipFile(large) as archive:
            assert len([name for name in archive.namelist() if name.startswith("notes/")]) == NOTES
        grown = peak - idle
        print(
            f"\nexport of {NOTES} notes ({large.stat().st_size / 2**20:.1f} MiB zip): "
            f"idle {idle:.1f} MB, peak {peak:.1f} MB, +{grown:.1f} MB"
        )
        assert grown < BOUND_MB, f"idle {idle:.1f} MB, peak {peak:.1f} MB"
