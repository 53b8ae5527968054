"""Import (API.md §10): a zip of Markdown files, or a Team Notes export, all or nothing.

Every `*.md` file becomes a note; a Team Notes export's `tasks.json` gives tasks;
everything else (attachments, hidden files and folders, macOS's `__MACOSX`) is
skipped and counted. The items are written as they are read, in the request's one
transaction: the first file that cannot be imported raises, and the rollback takes
everything before it. The archive is read in worker threads, a batch at a time, so
decompressing never holds up the event loop.

A note's times come from its front matter (`created_at`/`updated_at`, as exported;
`created`/`date` and `updated`/`modified`, as other tools write them), else from
its entry in the zip, else now; it is never updated before it was created.
"""

import asyncio
import itertools
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import IO, Any, Literal

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.kit.db import utcnow
from teamnotes.kit.search import indexed
from teamnotes.notes.schemas import NoteCreate
from teamnotes.notes.service import notes
from teamnotes.portability import frontmatter
from teamnotes.portability.archive import Archive, ArchiveRefused
from teamnotes.portability.jsonarray import NotAnArray, objects
from teamnotes.portability.schemas import FORMAT, FORMAT_VERSION, ImportCounts, TaskImport
from teamnotes.tasks.service import NEXT_ORDER, tasks
from teamnotes.workspaces.gate import Access

# The longest note content (100,000 code points of up to four bytes) and a front matter.
_MOST_NOTE_BYTES = 1024 * 1024
_MOST_MANIFEST_BYTES = 64 * 1024
# Past every field a task can have, written as JSON with every character escaped.
_MOST_TASK_CHARS = 64 * 1024
_BATCH = 100
# What zip tools write for a file whose time they do not know.
_NO_TIME = (1980, 1, 1, 0, 0, 0)
# The keys of a front matter that Team Notes reads; one with others (tags, aliases…)
# stays at the top of the content, where nothing of it is lost.
_CREATED = ("created_at", "created", "date")
_UPDATED = ("updated_at", "updated", "modified")
_UNDERSTOOD = frozenset({"id", "title", *_CREATED, *_UPDATED})
_TASK_FIELDS = {"title", "description", "completed", "due_at"}


@dataclass(frozen=True, slots=True)
class _Row:
    """An item ready to be inserted: its columns (search words included) and times."""

    kind: Literal["notes", "tasks"]
    values: dict[str, Any]
    created_at: datetime
    updated_at: datetime


async def import_archive(
    session: AsyncSession, *, access: Access, file: IO[bytes], max_expanded: int
) -> ImportCounts:
    """Create the archive's notes and tasks in the workspace (new ids, their own times)."""
    reader = await asyncio.to_thread(_Reader, file, max_expanded=max_expanded, now=utcnow())
    rows = reader.rows()
    made = {"notes": 0, "tasks": 0}
    while batch := await asyncio.to_thread(lambda: list(itertools.islice(rows, _BATCH))):
        for row in batch:
            values = row.values
            if row.kind == "tasks" and "order" not in values:
                values = {**values, "order": NEXT_ORDER}  # last, as on create
            await (notes if row.kind == "notes" else tasks).insert(
                session,
                access=access,
                values=values,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
            made[row.kind] += 1
    return ImportCounts(**made, skipped=reader.skipped)


class _Reader:
    """The archive's items, validated one by one as they are read. It runs in worker
    threads: decompressing, parsing and computing search words hold up no request."""

    def __init__(self, file: IO[bytes], *, max_expanded: int, now: datetime) -> None:
        self.archive = Archive(file, max_expanded=max_expanded)
        self.now = now
        self.skipped = 0
        self.root = self._export_root()

    def rows(self) -> Iterator[_Row]:
        tasks_file = None
        for info in self.archive.entries():
            path = info.filename
            if info.is_dir():
                continue
            if self.root is not None and path in (f"{self.root}manifest.json", self.tasks_path):
                tasks_file = info if path == self.tasks_path else tasks_file
            elif _hidden(path) or not path.lower().endswith(".md"):
                self.skipped += 1
            else:
                yield self._note(info)
        if tasks_file is not None:
            for task in self._tasks(tasks_file):
                yield self._task(task)

    @property
    def tasks_path(self) -> str:
        return f"{self.root}tasks.json"

    def _export_root(self) -> str | None:
        """Where a Team Notes export's files are: the archive's root, or the one folder
        an unpacked and re-zipped export sits in; None for any other archive."""
        manifests = sorted(
            (
                info
                for info in self.archive.entries()
                if PurePosixPath(info.filename).name == "manifest.json"
                and info.filename.count("/") <= 1
                and info.file_size <= _MOST_MANIFEST_BYTES
            ),
            key=lambda info: info.filename.count("/"),
        )
        if not manifests:
            return None
        manifest = manifests[0]
        try:
            described = json.loads(self._text(manifest, most=_MOST_MANIFEST_BYTES))
        except ValueError:
            return None  # some other program's manifest: a file like any other
        if not isinstance(described, dict) or described.get("format") != FORMAT:
            return None
        if described.get("format_version") != FORMAT_VERSION:
            raise ArchiveRefused(
                f"{manifest.filename}: format_version {described.get('format_version')!r} "
                f"is not one this server reads ({FORMAT_VERSION})"
            )
        return manifest.filename.removesuffix("manifest.json")

    def _text(self, info: zipfile.ZipInfo, *, most: int) -> str:
        try:
            return self.archive.read(info, most=most).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ArchiveRefused(f"{info.filename}: not UTF-8 text") from error

    def _note(self, info: zipfile.ZipInfo) -> _Row:
        text = self._text(info, most=_MOST_NOTE_BYTES)
        document = frontmatter.parse(text)
        fields = document.fields
        content = document.body if set(fields) <= _UNDERSTOOD else text
        title = (
            (frontmatter.as_text(fields.get("title")) or "").strip()
            or frontmatter.first_heading(document.body)
            or PurePosixPath(info.filename).stem
        )
        try:
            data = NoteCreate(title=title, content=content)
        except ValidationError as error:
            raise ArchiveRefused(f"{info.filename}: {_first_problem(error)}") from error
        found = _entry_time(info) or self.now
        updated_at = _time_of(fields, _UPDATED) or found
        created_at = _time_of(fields, _CREATED) or min(found, updated_at)
        values = data.model_dump()
        values |= indexed(values, title="title", body="content")
        return _Row("notes", values, created_at, max(updated_at, created_at))

    def _task(self, task: TaskImport) -> _Row:
        values = task.model_dump(include=_TASK_FIELDS | task.model_fields_set & {"order"})
        created_at = task.created_at or self.now
        updated_at = max(task.updated_at or created_at, created_at)
        values["completed_at"] = (task.completed_at or updated_at) if task.completed else None
        values |= indexed(values, title="title", body="description")
        return _Row("tasks", values, created_at, updated_at)

    def _tasks(self, info: zipfile.ZipInfo) -> Iterator[TaskImport]:
        chunks = self.archive.chunks(info, most=self.archive.max_expanded)
        try:
            for number, item in enumerate(objects(chunks, longest=_MOST_TASK_CHARS), start=1):
                try:
                    yield TaskImport.model_validate(item)
                except ValidationError as error:
                    problem = _first_problem(error)
                    raise ArchiveRefused(f"{info.filename}, task {number}: {problem}") from error
        except NotAnArray as error:
            raise ArchiveRefused(f"{info.filename}: {error}") from error
        except UnicodeDecodeError as error:
            raise ArchiveRefused(f"{info.filename}: not UTF-8 text") from error


def _hidden(path: str) -> bool:
    """Hidden files and folders (`.obsidian/`, `.trash/`, `._Note.md`) and macOS's
    resource forks are no notes."""
    parts = PurePosixPath(path).parts
    return parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts)


def _time_of(fields: dict[str, Any], keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        if (value := frontmatter.as_timestamp(fields.get(key))) is not None:
            return value
    return None


def _entry_time(info: zipfile.ZipInfo) -> datetime | None:
    """The entry's modification time (zip keeps no zone: taken as UTC), if it has one."""
    if info.date_time == _NO_TIME:
        return None
    try:
        return datetime(*info.date_time, tzinfo=UTC)
    except ValueError:
        return None


def _first_problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]
