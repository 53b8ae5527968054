"""The seed's rows, table by table, shaped as the application keeps them: every user
with a personal workspace, every item at a position of its workspace's feed."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from teamnotes.auth.api_keys import new_token, token_hash
from teamnotes.kit.ids import new_id
from teamnotes.kit.search import document
from teamnotes.workspaces.gate import personal_workspace_id

from .corpus import Corpus

TEAM_MEMBERS = 20
TEAM_NOTES = 200

Row = dict[str, Any]


@dataclass
class Rows:
    password_hash: str
    users: list[Row] = field(default_factory=list)
    workspaces: list[Row] = field(default_factory=list)
    memberships: list[Row] = field(default_factory=list)
    api_keys: list[Row] = field(default_factory=list)
    notes: list[Row] = field(default_factory=list)
    tasks: list[Row] = field(default_factory=list)


def personal_user(rows: Rows, name: str, created: datetime, items: int) -> tuple[str, Row]:
    """A user (`name`@example.com) and their personal workspace (API.md §7), whose feed
    will hold `items` items; the user's id, and the authorship columns of those items."""
    user = new_id()
    user_id = str(user)
    rows.users.append(
        {
            "id": user,
            "email": f"{name}@example.com",
            "display_name": name.replace("-", " ").capitalize(),
            "password_hash": rows.password_hash,
            "created_at": created,
            "updated_at": created,
        }
    )
    workspace_id = personal_workspace_id(user_id)
    rows.workspaces.append(
        {
            "id": workspace_id,
            "name": "Personal",
            "personal_owner_id": user_id,
            "created_at": created,
            "updated_at": created,
            "version": 1,
            "change_seq": items,
        }
    )
    rows.memberships.append(
        {"workspace_id": workspace_id, "user_id": user_id, "role": "owner", "joined_at": created}
    )
    return user_id, {"workspace_id": workspace_id, "created_by": user_id, "updated_by": user_id}


def api_key(rows: Rows, user_id: str, created: datetime) -> str:
    """A read-scoped API key of the user's; the token itself."""
    key = new_token()
    rows.api_keys.append(
        {
            "id": new_id(),
            "user_id": user_id,
            "name": "bench",
            "scope": "read",
            "workspace_id": None,
            "token_hash": token_hash(key),
            "prefix": key[:10],
            "created_at": created,
        }
    )
    return key


def note(
    rows: Rows, corpus: Corpus, authorship: Row, seq: int, created: datetime, extra: str = ""
) -> str:
    """A note at feed position `seq`, an extra paragraph in it if given; its id."""
    text = corpus.note((extra,) if extra else ())
    stamp = created + timedelta(hours=(seq - 1) * 7, seconds=corpus.rng.randint(0, 3600))
    row = {
        "id": new_id(),
        **authorship,
        "change_seq": seq,
        "title": text.title,
        "content": text.content,
        "created_at": stamp,
        "updated_at": stamp + timedelta(minutes=corpus.rng.randint(0, 5000)),
        "version": 1,
        "search_title": document(text.title),
        "search_body": text.search_body,
    }
    rows.notes.append(row)
    return str(row["id"])


def task(
    rows: Rows,
    corpus: Corpus,
    authorship: Row,
    seq: int,
    order: int,
    created: datetime,
    now: datetime,
) -> str:
    """The user's task number `order` at feed position `seq`; its id."""
    rng = corpus.rng
    completed = rng.random() < 0.3
    stamp = created + timedelta(minutes=order * 17)
    description = corpus.sentence(rng.randint(5, 25)) if rng.random() < 0.6 else None
    title = corpus.title(2, 7)
    row = {
        "id": new_id(),
        **authorship,
        "change_seq": seq,
        "title": title,
        "description": description,
        "completed": completed,
        "order": order,
        "due_at": now + timedelta(days=rng.uniform(-30, 90)) if rng.random() < 0.7 else None,
        "created_at": stamp,
        "updated_at": stamp,
        "completed_at": stamp if completed else None,
        "version": 1,
        "search_title": document(title),
        "search_body": document(description or ""),
    }
    rows.tasks.append(row)
    return str(row["id"])


def team_workspace(rows: Rows, user_ids: list[str], now: datetime) -> tuple[str, list[str]]:
    """A team workspace of the first TEAM_MEMBERS users (the first its owner, the others
    editors) with TEAM_NOTES notes of its own: copies of theirs, under new ids. Its id
    and its notes' ids."""
    team = new_id()
    members_of_team = set(user_ids[:TEAM_MEMBERS])
    copies = [row for row in rows.notes if row["created_by"] in members_of_team][:TEAM_NOTES]
    team_notes = [
        {**row, "id": new_id(), "workspace_id": team, "change_seq": position}
        for position, row in enumerate(copies, start=1)
    ]
    rows.notes += team_notes
    rows.workspaces.append(
        {
            "id": team,
            "name": "Bench team",
            "personal_owner_id": None,
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "change_seq": len(team_notes),
        }
    )
    rows.memberships += [
        {
            "workspace_id": team,
            "user_id": user_id,
            "role": "owner" if index == 0 else "editor",
            "joined_at": now,
        }
        for index, user_id in enumerate(user_ids[:TEAM_MEMBERS])
    ]
    return str(team), [str(row["id"]) for row in team_notes]
