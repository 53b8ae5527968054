"""Export (API.md §10): a workspace as a zip, streamed while it is made.

The zip is written by the standard library's `zipfile` into a sink that is emptied
after every page: a page of notes (or tasks) is read, compressed in a worker thread,
and sent before the next is read, so the memory taken stays that of one page
however large the workspace (only the zip's directory, a few dozen bytes per file,
grows with it). Every page is read in one snapshot of the database, so the
manifest's counts and the files agree even while others write.
"""

import asyncio
import json
import re
import unicodedata
import zipfile
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import quote

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import Database, utcnow
from teamnotes.notes.schemas import NoteRead
from teamnotes.notes.service import notes
from teamnotes.portability.frontmatter import with_front_matter
from teamnotes.portability.names import UniqueNames, safe_stem
from teamnotes.portability.schemas import FORMAT, FORMAT_VERSION
from teamnotes.tasks.service import tasks
from teamnotes.workspaces.gate import Access
from teamnotes.workspaces.items import WorkspaceItems
from teamnotes.workspaces.service import get_workspace

_PAGE = 100
# The range of a zip entry's (DOS) time.
_EARLIEST = datetime(1980, 1, 1, tzinfo=UTC)
_LATEST = datetime(2107, 12, 31, 23, 59, 58, tzinfo=UTC)
_NOT_IN_A_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def disposition(workspace_name: str, now: datetime) -> str:
    """The Content-Disposition of an export: a file name from the workspace's name and
    the day, in ASCII for every client and in UTF-8 for those that read RFC 6266's."""
    day = now.strftime("%Y-%m-%d")
    ascii_name = unicodedata.normalize("NFKD", workspace_name).encode("ascii", "ignore").decode()
    fallback = _NOT_IN_A_NAME.sub("-", ascii_name).strip("-.") or "workspace"
    full = f"{safe_stem(workspace_name)} {day}.zip"
    return (
        f"attachment; filename=\"teamnotes-{fallback}-{day}.zip\"; filename*=UTF-8''{quote(full)}"
    )


async def chunks(database: Database, access: Access) -> AsyncIterator[bytes]:
    """The export's bytes, a page at a time."""
    async with database.read_session() as session:
        await _snapshot(session)
        workspace = await get_workspace(session, access=access)
        now = utcnow()
        archive = _ZipStream()
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": _rfc3339(now),
            "workspace": {"id": str(workspace.id), "name": workspace.name},
            "notes": await _count(session, notes, access),
            "tasks": await _count(session, tasks, access),
        }
        archive.add("manifest.json", json.dumps(manifest, indent=2).encode() + b"\n", now)
        yield archive.take()

        with archive.open("tasks.json", now) as written:
            separator = b"[\n"
            async for page in _pages(session, tasks, access):
                listed = b",\n".join(task.model_dump_json().encode() for task in page)
                await asyncio.to_thread(written.write, separator + listed)
                separator = b",\n"
                yield archive.take()
            written.write(b"[]\n" if separator == b"[\n" else b"\n]\n")

        names = UniqueNames()
        async for page in _pages(session, notes, access):
            files = [(f"notes/{names.take(safe_stem(note.title), '.md')}", note) for note in page]
            await asyncio.to_thread(archive.add_notes, files)
            yield archive.take()
        yield archive.close()


class _Sink:
    """Where the zip writer writes: what it wrote, kept until it is sent."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        taken = b"".join(self._parts)
        self._parts.clear()
        return taken


class _ZipStream:
    """A zip written to a sink that cannot seek: each entry's sizes follow its data."""

    def __init__(self) -> None:
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w")

    def add(self, name: str, data: bytes, when: datetime) -> None:
        self._zip.writestr(_entry(name, when), data)

    def add_notes(self, files: list[tuple[str, NoteRead]]) -> None:
        for name, note in files:
            fields: Mapping[str, str] = note.model_dump(
                mode="json", include={"id", "title", "created_at", "updated_at"}
            )
            ordered = {key: fields[key] for key in ("id", "title", "created_at", "updated_at")}
            self.add(name, with_front_matter(ordered, note.content).encode(), note.updated_at)

    def open(self, name: str, when: datetime) -> IO[bytes]:
        return self._zip.open(_entry(name, when), "w")

    def take(self) -> bytes:
        return self._sink.take()

    def close(self) -> bytes:
        self._zip.close()
        return self._sink.take()


def _entry(name: str, when: datetime) -> zipfile.ZipInfo:
    moment = min(max(when, _EARLIEST), _LATEST)
    info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # rw-r--r-- where unpacked
    return info


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def _snapshot(session: AsyncSession) -> None:
    """Make every read of the session see the database as it was at the first one."""
    if session.get_bind().dialect.name == "postgresql":
        await session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
    else:
        # SQLite's readers run in autocommit mode: an explicit transaction holds one
        # snapshot from its first read to its end (WAL mode).
        await session.execute(text("BEGIN"))


async def _count(session: AsyncSession, items: WorkspaceItems[Any], access: Access) -> int:
    listed = items.in_workspace(access).subquery()
    return int((await session.execute(select(func.count()).select_from(listed))).scalar_one())


async def _pages(
    session: AsyncSession, items: WorkspaceItems[Any], access: Access
) -> AsyncIterator[list[Any]]:
    """The workspace's live items, a page at a time, in the order of their ids."""
    statement = items.in_workspace(access).order_by(items.id).limit(_PAGE)
    after = None
    while True:
        page = statement if after is None else statement.where(items.id > after)
        rows = (await session.execute(page)).all()
        if rows:
            yield [items.as_read(row) for row in rows]
        if len(rows) < _PAGE:
            return
        after = rows[-1].id
