"""Rows as the schema of revision 0008 held them, written with its columns (`owner_id`
on notes, tasks and Idempotency-Keys), and what the API should show of them."""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from teamnotes.kit.db import UTCDateTime
from teamnotes.kit.ids import new_id
from teamnotes.migrations.normaliser_v1 import document
from teamnotes.notes.schemas import NoteCreate
from teamnotes.workspaces.gate import personal_workspace_id

BEGINNING = datetime(2026, 11, 23, 8, 30, 15, 123456, tzinfo=UTC)


def moment(minutes: int) -> datetime:
    return BEGINNING + timedelta(minutes=minutes, microseconds=minutes * 7)


def shown(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _table(name: str, *columns: str, times: tuple[str, ...] = ()) -> sa.TableClause:
    return sa.table(
        name,
        *(sa.column(column) for column in columns),
        *(sa.column(column, UTCDateTime()) for column in times),
    )


_ITEM_TIMES = ("created_at", "updated_at")
_USER = _table("auth_user", "id", "email", "display_name", "password_hash", times=_ITEM_TIMES)
_EXTERNAL = _table("external_user", "id", times=("first_seen_at",))
_NOTE = _table(
    "note", "id", "owner_id", "title", "content", "version", "search_title", "search_body",
    times=_ITEM_TIMES,
)  # fmt: skip
_TASK = _table(
    "task", "id", "owner_id", "title", "description", "completed", "position", "version",
    "search_title", "search_body", times=(*_ITEM_TIMES, "due_at", "completed_at"),
)  # fmt: skip
_KEY = _table(
    "idempotency_key", "owner_id", "key", "fingerprint", "status_code", "location", "etag",
    "body", times=("created_at",),
)  # fmt: skip


@dataclass
class OldData:
    password_hash: str
    alice: str = field(default_factory=lambda: str(new_id()))
    dave: str = field(default_factory=lambda: str(new_id()))  # a local user with nothing
    bob: str = "provider|bob"  # a provider's user known only by his notes
    carol: str = "provider|carol"  # a provider's user remembered, with a task
    key: str = "retry-me"
    notes: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def email(self) -> str:
        return f"alice-{self.alice[-6:]}@example.com"

    @property
    def keyed_request(self) -> dict[str, Any]:
        return {"title": self.notes[0]["title"], "content": self.notes[0]["content"]}

    def notes_seen(self, owner: str) -> list[dict[str, Any]]:
        """The owner's notes as the API shows them now, oldest first."""
        mine = [note for note in self.notes if note["owner_id"] == owner]
        return [
            {
                "id": note["id"],
                "workspace_id": str(personal_workspace_id(owner)),
                "title": note["title"],
                "content": note["content"],
                "created_at": shown(note["created_at"]),
                "updated_at": shown(note["updated_at"]),
                "created_by": owner,
                "updated_by": owner,
                "version": note["version"],
            }
            for note in sorted(mine, key=lambda note: note["created_at"])
        ]

    def tasks_seen(self, owner: str) -> list[dict[str, Any]]:
        """The owner's tasks as the API shows them now, in their order."""
        mine = [task for task in self.tasks if task["owner_id"] == owner]
        return [
            {
                "id": task["id"],
                "workspace_id": str(personal_workspace_id(owner)),
                "title": task["title"],
                "description": task["description"],
                "completed": task["completed"],
                "order": task["position"],
                "due_at": shown(task["due_at"]),
                "created_at": shown(task["created_at"]),
                "updated_at": shown(task["updated_at"]),
                "completed_at": shown(task["completed_at"]),
                "created_by": owner,
                "updated_by": owner,
                "version": task["version"],
            }
            for task in sorted(mine, key=lambda task: task["position"])
        ]

    def owners(self) -> dict[str, set[tuple[str, str, int]]]:
        return {
            "note": {(note["id"], note["owner_id"], note["version"]) for note in self.notes},
            "task": {(task["id"], task["owner_id"], task["version"]) for task in self.tasks},
        }


def _note(owner: str, title: str, content: str, *, made: int, changed: int, version: int) -> Any:
    return {
        "id": str(new_id()),
        "owner_id": owner,
        "title": title,
        "content": content,
        "version": version,
        "created_at": moment(made),
        "updated_at": moment(changed),
    }


def _task(owner: str, title: str, *, position: int, made: int, done: bool = False) -> Any:
    return {
        "id": str(new_id()),
        "owner_id": owner,
        "title": title,
        "description": f"about {title}",
        "completed": done,
        "position": position,
        "version": 2 if done else 1,
        "created_at": moment(made),
        "updated_at": moment(made + (30 if done else 0)),
        "due_at": moment(made + 1440) if position % 2 else None,
        "completed_at": moment(made + 30) if done else None,
    }


def insert_old_data(connection: Connection, data: OldData) -> None:
    """Users, notes, tasks and a stored create as the application of 0008 wrote them."""
    data.notes += [
        _note(data.alice, "Groceries", "milk, *eggs*", made=1, changed=50, version=3),
        _note(data.alice, "Safari", "a zebra at dawn", made=2, changed=3, version=1),
        _note(data.bob, "Bob's", "his only note", made=4, changed=4, version=1),
    ]
    data.tasks += [
        _task(data.alice, "Feed the giraffe", position=5, made=6, done=True),
        _task(data.alice, "Water plants", position=2, made=7),
        _task(data.carol, "Carol's", position=1, made=8),
    ]
    for user_id, email in ((data.alice, data.email), (data.dave, f"dave-{data.dave[-6:]}@x.org")):
        connection.execute(
            _USER.insert().values(
                id=uuid.UUID(user_id).hex if connection.dialect.name == "sqlite" else user_id,
                email=email,
                display_name=None,
                password_hash=data.password_hash,
                created_at=moment(0),
                updated_at=moment(0),
            )
        )
    connection.execute(_EXTERNAL.insert().values(id=data.carol, first_seen_at=moment(5)))
    for note in data.notes:
        connection.execute(
            _NOTE.insert().values(
                **note | {"id": _key(connection, note["id"])},
                search_title=document(note["title"]),
                search_body=document(note["content"]),
            )
        )
    for task in data.tasks:
        connection.execute(
            _TASK.insert().values(
                **task | {"id": _key(connection, task["id"])},
                search_title=document(task["title"]),
                search_body=document(task["description"]),
            )
        )
    first = data.notes_seen(data.alice)[0]
    old_body = {
        key: first[key] for key in ("id", "title", "content", "created_at", "updated_at", "version")
    }
    request = NoteCreate.model_validate(data.keyed_request).model_dump_json()
    connection.execute(
        _KEY.insert().values(
            owner_id=data.alice,
            key=data.key,
            fingerprint=hashlib.sha256(f"create_note\n{request}".encode()).hexdigest(),
            created_at=datetime.now(UTC),
            status_code=201,
            location=f"/notes/{first['id']}",
            etag=f'"{first["version"]}"',
            body=json.dumps(old_body),
        )
    )


def _key(connection: Connection, item_id: str) -> Any:
    """An id as the Uuid type stores it: 32 hex digits on SQLite."""
    return uuid.UUID(item_id).hex if connection.dialect.name == "sqlite" else uuid.UUID(item_id)
