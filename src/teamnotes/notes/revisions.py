"""Revisions of notes (API.md §9): every version's title and content, as it is written.

`record` is a recorder of the notes' writes (teamnotes.workspaces.items): it runs in
the write's own transaction, after the note's row has its new version, and keeps
that version as a revision, so a note and its history never disagree. Its statements
are few (one on PostgreSQL, two on SQLite) and bounded: they touch only the note's
own revisions, at most `kept` + 1 rows, through the primary key. The workspace's
write lock (`gate.begin_write`) already orders the writers of a note.

- **Cap.** A note keeps its `kept` newest revisions; older ones go as new ones come.
- **Merge window.** An edit (PUT, PATCH) replaces the previous revision instead of
  adding one when that revision is the note's previous version, was written by the
  same user, and is younger than the window: an autosaving editor makes one revision
  per pause longer than the window, not one per keystroke. A window of 0 keeps every
  version.
- **What never merges.** A new note, a move, a restore from the trash and a restore
  of a revision always add a revision of their own: none changes the text, so the
  history shows where each happened, and restoring never replaces the revision it
  could be undone with.

The revisions go with their note (a foreign key that cascades) when it is purged.
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Delete,
    Insert,
    Integer,
    Table,
    and_,
    bindparam,
    delete,
    false,
    insert,
    not_,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.config import Settings, get_settings
from teamnotes.notes.models import Note, NoteRevision
from teamnotes.notes.schemas import NoteRead
from teamnotes.workspaces.written import Written

_revision = cast(Table, NoteRevision.__table__)
_note = cast(Table, Note.__table__).c
_COPIED = ("version", "title", "content", "updated_at", "updated_by")

# Keys of `session.info`: the deployment's policy (teamnotes.kit.db.Database keeps it
# there for every session), and the note whose next version must not merge.
_POLICY = "revision_policy"
_UNMERGED = "revision_unmerged"


@dataclass(frozen=True, slots=True)
class RevisionPolicy:
    kept: int
    merge_window: timedelta

    @classmethod
    def of(cls, settings: Settings) -> "RevisionPolicy":
        return cls(settings.revisions_kept, timedelta(seconds=settings.revision_merge_seconds))


def session_info(settings: Settings) -> dict[str, Any]:
    """What every session of the deployment's database carries for the recorder."""
    return {_POLICY: RevisionPolicy.of(settings)}


def _policy(session: AsyncSession) -> RevisionPolicy:
    # A database made without it (a command-line tool's) follows the process's settings.
    policy = session.info.get(_POLICY)
    return policy if isinstance(policy, RevisionPolicy) else RevisionPolicy.of(get_settings())


@contextmanager
def unmerged(session: AsyncSession, note_id: object) -> Iterator[None]:
    """Within: the note's next version adds a revision of its own, whoever wrote the
    previous one and whenever."""
    session.info[_UNMERGED] = note_id
    try:
        yield
    finally:
        session.info.pop(_UNMERGED, None)


async def record(session: AsyncSession, written: Written) -> None:
    """Keep the note's new version as its newest revision (a recorder of `notes`)."""
    if written.item is None:
        return  # it left the workspace: the history stays with the note
    note = cast(NoteRead, written.item)
    policy = _policy(session)
    merging = (
        written.event == "updated"
        and policy.merge_window > timedelta(0)
        and session.info.get(_UNMERGED) != written.item_id
    )
    parameters = {
        "revision_note": note.id,
        "revision_keep": policy.kept - 1,
        "revision_previous": note.version - 1,
        "revision_author": note.updated_by,
        "revision_since": note.updated_at - policy.merge_window,
    }
    if session.get_bind().dialect.name == "postgresql":
        # Both parts see the revisions as they were before the statement.
        await session.execute(_pruning_and_keeping(merging), parameters)
    else:
        pruned, kept = _statements(merging)
        await session.execute(pruned, parameters)
        await session.execute(kept, parameters)


@functools.cache
def _statements(merging: bool) -> tuple[Delete, Insert]:
    """Prune the revisions that go, keep the new version; built once per kind of write
    (SQLAlchemy then reuses their cache keys and compiled forms)."""
    note_id: BindParameter[Any] = bindparam("revision_note")

    def mergeable(rows: Any) -> ColumnElement[bool]:
        """The previous revision, when this version replaces it."""
        if not merging:
            return false()
        return and_(
            rows.version == bindparam("revision_previous"),
            rows.updated_by == bindparam("revision_author"),
            rows.updated_at > bindparam("revision_since"),
        )

    # The newest revisions that stay beside the new one: `kept` - 1 of those not merged.
    others = _revision.alias("others").c
    staying = (
        select(others.version)
        .where(others.note_id == note_id, not_(mergeable(others)))
        .order_by(others.version.desc())
        .limit(bindparam("revision_keep", type_=Integer))
    )
    r = _revision.c
    pruned = delete(_revision).where(
        r.note_id == note_id, or_(mergeable(r), r.version.not_in(staying))
    )
    # Copied from the row just written rather than sent again: up to 100,000 characters.
    kept = insert(_revision).from_select(
        ["note_id", *_COPIED],
        select(_note.id, *(_note[name] for name in _COPIED)).where(_note.id == note_id),
    )
    return pruned, kept


@functools.cache
def _pruning_and_keeping(merging: bool) -> Insert:
    pruned, kept = _statements(merging)
    return kept.add_cte(pruned.cte("pruned"))
