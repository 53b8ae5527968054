"""`make bench`: Team Notes under load, on SQLite and on PostgreSQL, against its ceiling.

What it does, in one run of at most ten minutes, on loopback only:

1. Installs its load generators when they are missing: wrk (closed loop, Lua
   scripts in bench/lua/) and Debian's hey (open loop, `-q` rate limit per worker).
2. For each database (SQLite in a fresh temporary directory, then a fresh PostgreSQL
   database that it creates and drops): migrates, seeds users x tasks and notes
   straight through SQLAlchemy Core with the application's own tables, mints access
   tokens with the application's TokenIssuer, and starts the production command
   (`teamnotes serve --workers <cores>`, default log level INFO, access log on).
3. Measures the ceiling (bench/ceiling.py: a minimal FastAPI endpoint under the same
   uvicorn settings), then each scenario at 100 connections, then the mixed workload
   at a fixed offered rate (hey), create at a fixed rate on SQLite, and one worker
   at 256 connections with a probe that watches for stalls.
4. Reads each server worker's CPU time and peak RSS from /proc, the server's own
   access log for status codes and errors, and writes bench/results/<time>.json,
   bench/results/<time>.md and bench/results/latest.md; prints the table.

Options (for development; `make bench` uses the defaults):

    python bench/run.py [--duration 10] [--db sqlite,postgresql] [--users 200]
    python bench/run.py --profile get_task   # py-spy on one scenario (SQLite)

PostgreSQL: BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres)
is the maintenance database it connects to in order to create and drop its own.
"""

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LUA = BENCH / "lua"
RESULTS = BENCH / "results"
BIN = Path(sys.prefix) / "bin"

BUDGET_S = 600  # the whole run, installs included
CONNECTIONS = 100
WRK_THREADS = 2
OPEN_LOOP_RATE = 1000  # req/s, the mixed workload
OPEN_LOOP_CREATE_RATE = 500  # req/s, create on SQLite
OPEN_LOOP_PER_WORKER = 10.0  # req/s per hey worker: one request every 100 ms
STALL_CONNECTIONS = 256
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_MB = 1 / 1024

# Which task slots (1-based `order` of each user's seeded tasks) each wrk run may PATCH,
# so that no two runs share a task's version history (see bench/lua/common.lua).
PATCH_SLOTS = {"patch_task": (1, 250), "mixed": (251, 375), "stall": (376, 500)}

SCENARIOS = [
    # name, label, script, kind
    ("get_note", "GET note by id", "get_note.lua", "read"),
    # The same requests with each user's API key (bench-data-keys.txt) instead of a JWT.
    ("get_note_key", "GET note by id with an API key", "get_note.lua", "read"),
    ("get_task", "GET task by id", "get_task.lua", "read"),
    ("get_team_note", "GET note in a 20-member team workspace", "get_team_note.lua", "read"),
    ("list_tasks", "list 20 tasks, status filter + sort", "list_tasks.lua", "read"),
    ("search", "search notes (?q=word)", "search.lua", "read"),
    ("create_task", "create task (POST)", "create_task.lua", "write"),
    ("patch_task", "PATCH task with If-Match", "patch_task.lua", "write"),
    ("mixed", "mixed 60/20/10/5/5", "mixed.lua", "mixed"),
]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class BenchError(RuntimeError):
    pass


# --------------------------------------------------------------------------- tools


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
    versions = {}
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10, check=False)
    versions["wrk"] = (wrk.stdout + wrk.stderr).splitlines()[0].strip()
    hey = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", "hey"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    versions["hey"] = f"hey {hey.stdout.strip() or '(not from dpkg)'}"
    return versions


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# ---------------------------------------------------------------- /proc readings


def _read(path: str) -> str:
    try:
        with open(path) as file:
            return file.read()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float:
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def peak_rss_mb(pid: int) -> float:
    match = re.search(r"^VmHWM:\s+(\d+) kB", _read(f"/proc/{pid}/status"), re.MULTILINE)
    return int(match[1]) * PAGE_MB if match else 0.0


def rss_mb(pid: int) -> float:
    match = re.search(r"^VmRSS:\s+(\d+) kB", _read(f"/proc/{pid}/status"), re.MULTILINE)
    return round(int(match[1]) * PAGE_MB, 1) if match else 0.0


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _read(f"/proc/{entry}/stat")
            if stat and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return sorted(found)


def cmdline(pid: int) -> str:
    return _read(f"/proc/{pid}/cmdline").replace("\0", " ")


def machine_busy_seconds() -> tuple[float, float]:
    """CPU time of all cores since boot (/proc/stat): in processes (user, nice,
    system), and in interrupts (irq, softirq: loopback TCP is largely softirq)."""
    values = [int(v) for v in _read("/proc/stat").splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq = values[:7]
    return (user + nice + system) / CLK_TCK, (irq + softirq) / CLK_TCK


def postgres_backends(database: str) -> list[int]:
    """The server processes serving connections to this database."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _read(f"/proc/{entry}/comm").strip() == "postgres":
            line = cmdline(int(entry))
            if f" {database} " in line:
                pids.append(int(entry))
    return pids


# ------------------------------------------------------------------------ servers


class Server:
    """A server in its own process group, its output in a log file; always stopped."""

    def __init__(self, name: str, command: list[str], *, env: dict[str, str], cwd: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.cwd = cwd
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = cwd / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.workers: list[int] = []

    def start(self, ready_path: str, expected_workers: int, timeout: float = 90) -> None:
        log_file = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self._log_file = log_file
        self.process = subprocess.Popen(
            [*self.command, "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.cwd,
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends all of it
        )
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        with httpx.Client(timeout=5) as client:
            while True:
                if self.process.poll() is not None:
                    raise BenchError(
                        f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
                    )
                try:
                    response = client.get(self.url + ready_path)
                    last = f"GET {ready_path}: {response.status_code} {response.text[:300]}"
                    if response.status_code == 200:
                        self.workers = self._find_workers(expected_workers)
                        last += f"; worker processes found: {self.workers}"
                        if len(self.workers) == expected_workers:
                            return
                except httpx.HTTPError as error:
                    last = f"GET {ready_path}: {type(error).__name__} {error}"
                if time.monotonic() > deadline:
                    raise BenchError(
                        f"{self.name} not ready in {timeout:.0f} s ({last}); "
                        f"its log ends:\n{self.log_tail(8)}"
                    )
                time.sleep(0.2)

    def _find_workers(self, expected: int) -> list[int]:
        assert self.process is not None
        if expected == 1:
            return [self.process.pid]  # uvicorn serves in the main process
        return [
            pid
            for pid in children_of(self.process.pid)
            if "resource_tracker" not in cmdline(pid) and "spawn_main" in cmdline(pid)
        ]

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def settle(self, quiet: float = 0.5, limit: float = 15) -> None:
        """Wait until requests still in flight after a load run are answered (the
        access log stops growing), so they count for the run that sent them."""
        deadline = time.monotonic() + limit
        size = self.log_size()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            if (now := self.log_size()) == size:
                return
            size = now

    def stop(self) -> None:
        if self.process is None:
            return
        group = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=10)
        # Workers that outlived the master still belong to the group.
        for _ in range(50):
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        self._log_file.close()
        self.process = None


def scan_log(path: Path, start: int, end: int | None = None) -> dict[str, Any]:
    """Status codes of the access log lines and the error lines, between two offsets."""
    statuses: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    errors: list[str] = []
    per_second: Counter[str] = Counter()
    status_re = re.compile(r'"status": (\d{3})')
    level_re = re.compile(r'"level": "(\w+)"')
    time_re = re.compile(r'"time": "([0-9T:-]{19})')
    with open(path, "rb") as file:
        file.seek(start)
        data = file.read() if end is None else file.read(end - start)
    for raw in data.splitlines():
        line = raw.decode(errors="replace")
        level = level_re.search(line)
        if level is None:
            # Not one of the app's JSON lines: uvicorn's own output or a traceback.
            if line.strip() and not line.startswith("INFO:"):
                levels["other"] += 1
                if len(errors) < 8:
                    errors.append(line[:600])
            continue
        levels[level[1]] += 1
        if '"message": "request"' in line and (status := status_re.search(line)):
            statuses[status[1]] += 1
            if moment := time_re.search(line):
                per_second[moment[1]] += 1
        if level[1] in ("error", "critical") and len(errors) < 8:
            errors.append(line[:2000])
    return {
        "statuses": dict(statuses),
        "levels": dict(levels),
        "errors": errors,
        "responses_per_second": _per_second_summary(per_second),
    }


def _per_second_summary(per_second: Counter[str]) -> dict[str, int] | None:
    """The fewest and most responses in any whole second between the first and the
    last (seconds with none count as 0): a stall shows as a minimum of 0."""
    if len(per_second) < 3:
        return None
    seconds = sorted(datetime.fromisoformat(moment) for moment in per_second)
    inner = []
    moment = seconds[0] + timedelta(seconds=1)
    while moment < seconds[-1]:
        inner.append(per_second.get(moment.isoformat(), 0))
        moment += timedelta(seconds=1)
    if not inner:
        return None
    return {"seconds": len(inner), "min": min(inner), "max": max(inner)}


# ------------------------------------------------------------------------ seeding


@dataclass
class SeedPlan:
    users: int
    tasks_per_user: int
    notes_per_user: int


@dataclass
class Seeded:
    tokens: list[str]
    keys: list[str]  # an API key (scope read) per user
    user_ids: list[str]
    notes: list[list[str]]
    tasks: list[list[str]]  # by slot: tasks[u][i] has order i + 1
    queries: list[str]
    seconds: float
    note_bytes: int
    team: str = ""  # a team workspace of TEAM_MEMBERS members, the first users
    team_notes: list[str] = field(default_factory=list)


TEAM_MEMBERS = 20
TEAM_NOTES = 200


def team_workspace(
    notes: list[dict[str, Any]], user_ids: list[str], now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """A team workspace of the first TEAM_MEMBERS users (the first its owner, the others
    editors) with TEAM_NOTES notes of its own: copies of theirs, under new ids. Its
    row, its memberships and its notes."""
    from teamnotes.kit.ids import new_id

    team = new_id()
    members_of_team = set(user_ids[:TEAM_MEMBERS])
    copies = [row for row in notes if row["created_by"] in members_of_team][:TEAM_NOTES]
    team_notes = [
        {**row, "id": new_id(), "workspace_id": team, "change_seq": position}
        for position, row in enumerate(copies, start=1)
    ]
    workspace = {
        "id": team,
        "name": "Bench team",
        "personal_owner_id": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "change_seq": len(team_notes),
    }
    members = [
        {
            "workspace_id": team,
            "user_id": user_id,
            "role": "owner" if index == 0 else "editor",
            "joined_at": now,
        }
        for index, user_id in enumerate(user_ids[:TEAM_MEMBERS])
    ]
    return workspace, members, team_notes


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    syllables = [
        "ka", "lo", "mi", "ren", "to", "sa", "vel", "nor", "di", "qua", "ter", "ly", "bri",
        "an", "co", "ment", "pro", "ject", "or", "der", "re", "port", "plan", "sprint", "de",
        "sign", "bud", "get", "tea", "rev", "iew", "ship", "ping", "ro", "ad", "map", "fix",
    ]  # fmt: skip
    words: dict[str, None] = {}
    # Real words first (the most frequent ranks), a few with accents.
    for word in (
        "the", "project", "meeting", "notes", "review", "budget", "quarterly", "roadmap",
        "release", "sprint", "design", "customer", "feedback", "deadline", "report", "draft",
        "launch", "team", "planning", "invoice", "café", "résumé", "naïve", "façade", "über",
        "crème", "brûlée", "jalapeño", "señor", "déjà",
    ):  # fmt: skip
        words[word] = None
    while len(words) < size:
        words["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))] = None
    return list(words)


def _sentence(rng: random.Random, vocab: list[str], cum: list[float], count: int) -> str:
    chosen = rng.choices(vocab, cum_weights=cum, k=count)
    return " ".join(chosen).capitalize() + "."


async def seed(url: str, plan: SeedPlan, secret: str) -> Seeded:
    """Users, tasks and notes in big Core INSERTs; tokens minted as the app would."""
    from sqlalchemy import insert, inspect, text
    from sqlalchemy.ext.asyncio import create_async_engine

    from teamnotes.auth.api_keys import ApiKey, new_token, token_hash
    from teamnotes.auth.models import User
    from teamnotes.auth.passwords import dummy_hash
    from teamnotes.auth.tokens import TokenIssuer
    from teamnotes.kit.db import async_url
    from teamnotes.kit.ids import new_id
    from teamnotes.notes.models import Note
    from teamnotes.kit.search import document, words
    from teamnotes.tasks.models import Task
    from teamnotes.workspaces.gate import personal_workspace_id
    from teamnotes.workspaces.models import Membership, Workspace

    started = time.monotonic()
    rng = random.Random(20261123)
    vocab = _vocabulary(rng, 1500)
    weights = [1 / (rank + 1) ** 1.07 for rank in range(len(vocab))]  # Zipf-like
    cum = []
    total = 0.0
    for weight in weights:
        total += weight
        cum.append(total)

    # A bank of paragraphs whose words are computed once: a note's search words are
    # its parts' words, in order, deduplicated (checked against document() below).
    paragraphs = [
        " ".join(_sentence(rng, vocab, cum, rng.randint(8, 18)) for _ in range(rng.randint(3, 6)))
        for _ in range(400)
    ]
    headings = ["## " + _sentence(rng, vocab, cum, rng.randint(2, 5))[:-1] for _ in range(100)]
    checklists = [
        "\n".join(
            f"- [{'x' if rng.random() < 0.4 else ' '}] {_sentence(rng, vocab, cum, 5)}"
            for _ in range(rng.randint(3, 6))
        )
        for _ in range(100)
    ]
    words_of = {part: words(part) for part in (*paragraphs, *headings, *checklists)}

    now = datetime.now(UTC)
    issuer = TokenIssuer(
        secret=secret, access_ttl=timedelta(hours=2), refresh_ttl=timedelta(days=1)
    )
    password_hash = dummy_hash()
    note_columns = set(Note.__table__.c.keys())
    task_columns = set(Task.__table__.c.keys())

    users, tokens, user_ids, note_ids, task_ids = [], [], [], [], []
    keys: list[str] = []
    workspaces: list[dict[str, Any]] = []
    memberships: list[dict[str, Any]] = []
    api_keys: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    note_bytes = 0
    checked = 0
    for index in range(plan.users):
        user_id = new_id()
        created = now - timedelta(days=200, minutes=index)
        users.append(
            {
                "id": user_id,
                "email": f"bench-user-{index}@example.com",
                "display_name": f"Bench user {index}",
                "password_hash": password_hash,
                "created_at": created,
                "updated_at": created,
            }
        )
        user_ids.append(str(user_id))
        tokens.append(issuer.access_token(str(user_id)))
        # Every user's notes and tasks live in their personal workspace (API.md §7),
        # each item at a position of its feed.
        workspace_id = personal_workspace_id(str(user_id))
        positions = iter(range(1, plan.notes_per_user + plan.tasks_per_user + 1))
        workspaces.append(
            {
                "id": workspace_id,
                "name": "Personal",
                "personal_owner_id": str(user_id),
                "created_at": created,
                "updated_at": created,
                "version": 1,
                "change_seq": plan.notes_per_user + plan.tasks_per_user,
            }
        )
        memberships.append(
            {
                "workspace_id": workspace_id,
                "user_id": str(user_id),
                "role": "owner",
                "joined_at": created,
            }
        )
        key = new_token()
        keys.append(key)
        api_keys.append(
            {
                "id": new_id(),
                "user_id": str(user_id),
                "name": "bench",
                "scope": "read",
                "workspace_id": None,
                "token_hash": token_hash(key),
                "prefix": key[:10],
                "created_at": created,
            }
        )
        authorship = {
            "workspace_id": workspace_id,
            "created_by": str(user_id),
            "updated_by": str(user_id),
        }
        own_notes = []
        for n in range(plan.notes_per_user):
            parts = [
                rng.choice(headings),
                *rng.sample(paragraphs, rng.randint(4, 8)),
                rng.choice(checklists),
            ]
            content = "\n\n".join(parts)
            title = _sentence(rng, vocab, cum, rng.randint(2, 6))[:-1]
            body_words = " ".join(dict.fromkeys(w for part in parts for w in words_of[part]))
            if checked < 50:  # the shortcut must give exactly what the app stores
                assert body_words == document(content), "search words differ from the app's"
                checked += 1
            stamp = created + timedelta(hours=n * 7, seconds=rng.randint(0, 3600))
            row = {
                "id": new_id(),
                **authorship,
                "change_seq": next(positions),
                "title": title,
                "content": content,
                "created_at": stamp,
                "updated_at": stamp + timedelta(minutes=rng.randint(0, 5000)),
                "version": 1,
            }
            if "search_title" in note_columns:
                row["search_title"] = document(title)
                row["search_body"] = body_words
            note_bytes += len(content.encode())
            notes.append(row)
            own_notes.append(str(row["id"]))
        note_ids.append(own_notes)
        own_tasks = []
        for order in range(1, plan.tasks_per_user + 1):
            completed = rng.random() < 0.3
            stamp = created + timedelta(minutes=order * 17)
            description = (
                _sentence(rng, vocab, cum, rng.randint(5, 25)) if rng.random() < 0.6 else None
            )
            title = _sentence(rng, vocab, cum, rng.randint(2, 7))[:-1]
            row = {
                "id": new_id(),
                **authorship,
                "change_seq": next(positions),
                "title": title,
                "description": description,
                "completed": completed,
                "order": order,
                "due_at": (
                    now + timedelta(days=rng.uniform(-30, 90)) if rng.random() < 0.7 else None
                ),
                "created_at": stamp,
                "updated_at": stamp,
                "completed_at": stamp if completed else None,
                "version": 1,
            }
            if "search_title" in task_columns:
                row["search_title"] = document(title)
                row["search_body"] = document(description or "")
            tasks.append(row)
            own_tasks.append(str(row["id"]))
        task_ids.append(own_tasks)

    # Queries: real and made-up words beyond the 30 most frequent, some as prefixes.
    queries = []
    for word in rng.sample(vocab[30:], 300):
        folded = "".join(
            c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)
        )
        term = folded[:4] if rng.random() < 0.3 and len(folded) > 5 else word
        queries.append(quote(term))

    team, team_members, team_notes = team_workspace(notes, user_ids, now)
    workspaces.append(team)
    memberships += team_members
    notes += team_notes
    engine = create_async_engine(async_url(url))
    try:
        async with engine.begin() as connection:
            # The model may be ahead of the migrations while someone is editing: only
            # the search columns that the migrated schema has are filled.
            for table, rows in ((Note.__table__, notes), (Task.__table__, tasks)):
                present = await connection.run_sync(
                    lambda sync, name=table.name: {
                        c["name"] for c in inspect(sync).get_columns(name)
                    }
                )
                missing = {"search_title", "search_body"} & set(rows[0]) - present
                for row in rows if missing else ():
                    for key in missing:
                        del row[key]
            for table, rows in (
                (User.__table__, users),
                (Workspace.__table__, workspaces),
                (Membership.__table__, memberships),
                (ApiKey.__table__, api_keys),
                (Note.__table__, notes),
            ):
                for start in range(0, len(rows), 2000):
                    await connection.execute(insert(table), rows[start : start + 2000])
            for start in range(0, len(tasks), 5000):
                await connection.execute(insert(Task.__table__), tasks[start : start + 5000])
        if engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load, done now so the plans are
            # the steady state's. SQLite gets no ANALYZE: the service never runs one.
            async with engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()
    return Seeded(
        tokens=tokens,
        keys=keys,
        user_ids=user_ids,
        notes=note_ids,
        tasks=task_ids,
        queries=queries,
        seconds=time.monotonic() - started,
        note_bytes=note_bytes,
        team=str(team["id"]),
        team_notes=[str(row["id"]) for row in team_notes],
    )


def write_lua_data(seeded: Seeded, path: Path, *, keys: bool = False) -> None:
    with open(path, "w") as file:
        tokens = seeded.keys if keys else seeded.tokens
        for token, notes, tasks in zip(tokens, seeded.notes, seeded.tasks, strict=True):
            file.write(f"U {token} {','.join(notes)} {','.join(tasks)}\n")
        for query in seeded.queries:
            file.write(f"Q {query}\n")
        file.write(f"T {seeded.team} {','.join(seeded.team_notes)}\n")


# ------------------------------------------------------------------ measurements


@dataclass
class Snapshot:
    worker_cpu: list[float]
    db_cpu: dict[int, float]
    machine_busy: tuple[float, float]
    loadgen_cpu: float
    at: float


def snapshot(server: Server, pg_database: str | None) -> Snapshot:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Snapshot(
        worker_cpu=[cpu_seconds(pid) for pid in server.workers],
        db_cpu=(
            {pid: cpu_seconds(pid) for pid in postgres_backends(pg_database)} if pg_database else {}
        ),
        machine_busy=machine_busy_seconds(),
        loadgen_cpu=usage.ru_utime + usage.ru_stime,
        at=time.monotonic(),
    )


def resources_between(server: Server, before: Snapshot, pg_database: str | None) -> dict[str, Any]:
    after = snapshot(server, pg_database)
    db_cpu = None
    if pg_database:
        db_cpu = sum(cpu - before.db_cpu.get(pid, 0.0) for pid, cpu in after.db_cpu.items())
    server_cpu = [round(a - b, 2) for a, b in zip(after.worker_cpu, before.worker_cpu, strict=True)]
    loadgen = after.loadgen_cpu - before.loadgen_cpu
    busy = after.machine_busy[0] - before.machine_busy[0]
    interrupts = after.machine_busy[1] - before.machine_busy[1]
    accounted = sum(server_cpu) + loadgen + (db_cpu or 0.0)
    return {
        "server_cpu_s": server_cpu,
        "server_peak_rss_mb": [round(peak_rss_mb(pid), 1) for pid in server.workers],
        "db_cpu_s": None if db_cpu is None else round(db_cpu, 2),
        "loadgen_cpu_s": round(loadgen, 2),
        "machine_busy_s": round(busy, 2),
        "interrupts_cpu_s": round(interrupts, 2),
        # CPU that processes other than these spent meanwhile (other programs, the
        # PostgreSQL processes of other databases): large values mean a disturbed run.
        "other_cpu_s": round(max(0.0, busy - accounted), 2),
        "wall_s": round(after.at - before.at, 2),
    }


def wrk_env(data_file: Path, slots: tuple[int, int] = (1, 1)) -> dict[str, str]:
    return {
        **os.environ,
        "BENCH_DATA": str(data_file),
        "BENCH_LUA_DIR": str(LUA),
        "BENCH_THREADS": str(WRK_THREADS),
        "BENCH_SLOT_FROM": str(slots[0]),
        "BENCH_SLOT_TO": str(slots[1]),
    }


def run_wrk(
    url: str, script: str, *, connections: int, duration: int, env: dict[str, str]
) -> dict[str, Any]:
    command = [
        "wrk",
        "-t",
        str(min(WRK_THREADS, connections)),
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA / script),
        url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, env=env, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
            return result
    raise BenchError(f"wrk {script} printed no result:\n{done.stdout}\n{done.stderr}")


def closed_loop_record(raw: dict[str, Any]) -> dict[str, Any]:
    seconds = raw["duration_us"] / 1e6
    statuses = raw["statuses"]
    if statuses:
        # "kind:status" keys, counted by the script's response() callback.
        by_status: Counter[str] = Counter()
        for key, count in statuses.items():
            by_status[key.rsplit(":", 1)[-1]] += count
        non_2xx = sum(n for code, n in by_status.items() if not code.startswith("2"))
        status_source = "script"
    else:
        by_status = Counter()
        non_2xx = raw["errors"]["status"]  # wrk counts statuses above 399
        status_source = "wrk (>399)"
    lat = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(lat["p50"] / 1000, 2),
        "p95_ms": round(lat["p95"] / 1000, 2),
        "p99_ms": round(lat["p99"] / 1000, 2),
        "max_ms": round(lat["max"] / 1000, 2),
        "non_2xx": non_2xx,
        "statuses": dict(by_status) or None,
        "statuses_by_kind": statuses or None,
        "status_source": status_source,
        "socket_errors": {k: v for k, v in raw["errors"].items() if k != "status" and v},
    }


@dataclass
class HeyJob:
    kind: str
    method: str
    path: str
    token: str
    workers: int
    body: str | None = None
    headers: list[str] = field(default_factory=list)


def run_hey(base_url: str, jobs: list[HeyJob], *, per_worker: float, duration: int) -> dict:
    """Open loop: many hey processes at once, each `workers x per_worker` req/s."""
    workdir = Path(tempfile.mkdtemp(prefix="hey-"))
    processes = []
    try:
        for number, job in enumerate(jobs):
            command = ["hey", "-z", f"{duration}s", "-c", str(job.workers)]
            command += ["-q", str(per_worker), "-t", "10", "-o", "csv", "-m", job.method]
            command += ["-H", f"Authorization: Bearer {job.token}"]
            for header in job.headers:
                command += ["-H", header]
            if job.body is not None:
                command += ["-T", "application/json", "-d", job.body]
            command.append(base_url + job.path)
            out = open(workdir / f"{number}.csv", "wb")  # noqa: SIM115 (closed below)
            processes.append((job, out, subprocess.Popen(command, stdout=out)))
        deadline = time.monotonic() + duration + 60
        for _, out, process in processes:
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
            out.close()
        latencies: list[float] = []
        statuses: Counter[str] = Counter()
        by_kind: Counter[str] = Counter()
        offered = 0.0
        for number, (job, _, _) in enumerate(processes):
            offered += job.workers * per_worker
            with open(workdir / f"{number}.csv") as file:
                next(file, None)
                for line in file:
                    parts = line.split(",")
                    latencies.append(float(parts[0]))
                    statuses[parts[6]] += 1
                    by_kind[f"{job.kind}:{parts[6]}"] += 1
    finally:
        for _, out, process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
            out.close()
        shutil.rmtree(workdir, ignore_errors=True)
    latencies.sort()
    completed = len(latencies)
    expected = offered * duration

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return round(latencies[min(completed - 1, int(p / 100 * completed))] * 1000, 2)

    return {
        "requests": completed,
        "offered_rps": round(offered, 1),
        "rps": round(completed / duration, 1),
        # Offered but not answered within the run: each hey worker waits for its
        # response before the next tick, so slow answers leave requests unsent (and
        # an error leaves no line): the generator could not keep the offered rate.
        "shortfall": max(0, round(expected - completed)) if completed < 0.97 * expected else 0,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else 0.0,
        "non_2xx": sum(n for code, n in statuses.items() if not code.startswith("2")),
        "statuses": dict(statuses),
        "statuses_by_kind": dict(by_kind),
        "status_source": "hey csv",
        "socket_errors": {},
    }


class Prober(threading.Thread):
    """One authenticated GET every 250 ms while a load runs: does the server answer?"""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.token = token
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.stop_event = threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(timeout=30) as client:
            while not self.stop_event.is_set():
                started = time.monotonic()
                try:
                    response = client.get(self.url, headers=headers)
                    if response.status_code != 200:
                        self.failures.append(f"status {response.status_code}")
                except httpx.HTTPError as error:
                    self.failures.append(type(error).__name__)
                self.latencies.append(time.monotonic() - started)
                self.stop_event.wait(max(0.0, 0.25 - (time.monotonic() - started)))


# ---------------------------------------------------------------------- the phases


@dataclass
class Phase:
    """One database's part of the run."""

    db: str
    url: str
    tmp: Path
    duration: int
    plan: SeedPlan
    deadline: float
    pg_database: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    server_logs: dict[str, Any] = field(default_factory=dict)
    ceiling_rps: float | None = None
    seed_info: dict[str, Any] = field(default_factory=dict)


def server_env(phase: Phase, secret: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("TEAMNOTES_") and key != "DATABASE_URL"
    }
    env.update(
        TEAMNOTES_DATABASE_URL=phase.url,
        TEAMNOTES_DATA_DIR=str(phase.tmp / "data"),
        TEAMNOTES_JWT_SECRET=secret,
        TEAMNOTES_LOG_LEVEL="INFO",  # the default, as shipped: one access line per request
    )
    return env


def record(
    phase: Phase,
    name: str,
    label: str,
    kind: str,
    mode: str,
    connections: int,
    workers: int,
    result: dict[str, Any],
    resources: dict[str, Any],
    server: Server,
    log_from: int,
) -> dict[str, Any]:
    server.settle()
    server_side = scan_log(server.log_path, log_from)
    row = {
        "db": phase.db,
        "name": name,
        "label": label,
        "kind": kind,
        "mode": mode,
        "connections": connections,
        "workers": workers,
        **result,
        "ratio": (
            round(result["rps"] / phase.ceiling_rps, 3)
            if phase.ceiling_rps and mode == "closed"
            else None
        ),
        **resources,
        "server_log": server_side,
    }
    # CPU per response, from the server's own count: what one request costs, far less
    # sensitive to other load than req/s (contention still inflates it somewhat);
    # 1000 / (the sum) bounds req/s per core.
    served = sum(server_side["statuses"].values()) or result["requests"]
    row["server_cpu_ms_per_request"] = round(sum(resources["server_cpu_s"]) * 1000 / served, 3)
    row["db_cpu_ms_per_request"] = (
        None if resources["db_cpu_s"] is None else round(resources["db_cpu_s"] * 1000 / served, 3)
    )
    phase.rows.append(row)
    errors = len(server_side["errors"])
    log(
        f"{phase.db:10} {label:38} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:7.1f}  "
        f"p95 {result['p95_ms']:7.1f}  p99 {result['p99_ms']:7.1f} ms  "
        f"non-2xx {result['non_2xx']}"
        + (f"  server errors {errors}" if errors else "")
        + (f"  socket errors {result['socket_errors']}" if result.get("socket_errors") else "")
    )
    return row


def measure_ceiling(phase: Phase) -> None:
    workers = os.cpu_count() or 1
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMNOTES_")}
    server = Server(
        "ceiling",
        [str(BIN / "python"), str(BENCH / "ceiling.py"), "--workers", str(workers)],
        env=env,
        cwd=phase.tmp,
    )
    try:
        server.start("/ceiling", workers)
        # A short warm-up, then the measured run.
        run_wrk(
            server.url + "/ceiling",
            "ceiling.lua",
            connections=CONNECTIONS,
            duration=2,
            env=wrk_env(Path("/dev/null")),
        )
        before = snapshot(server, None)
        log_from = server.log_size()
        raw = run_wrk(
            server.url + "/ceiling",
            "ceiling.lua",
            connections=CONNECTIONS,
            duration=phase.duration,
            env=wrk_env(Path("/dev/null")),
        )
        resources = resources_between(server, before, None)
        result = closed_loop_record(raw)
        phase.ceiling_rps = result["rps"]
        record(
            phase,
            "ceiling",
            "CEILING: minimal FastAPI endpoint",
            "ceiling",
            "closed",
            CONNECTIONS,
            workers,
            result,
            resources,
            server,
            log_from,
        )
    finally:
        server.stop()


def sanity_check(server: Server, seeded: Seeded) -> None:
    """One request of each kind must succeed before any load is worth measuring."""
    headers = {"Authorization": f"Bearer {seeded.tokens[0]}"}
    checks = [
        ("GET", f"/notes/{seeded.notes[0][0]}", None),
        ("GET", f"/tasks/{seeded.tasks[0][0]}", None),
        ("GET", "/tasks?status=pending&sort=-due_at&limit=20", None),
        ("GET", f"/notes?q={seeded.queries[0]}", None),
        ("POST", "/tasks", {"title": "Sanity check"}),
    ]
    with httpx.Client(base_url=server.url, timeout=10, headers=headers) as client:
        for method, path, body in checks:
            response = client.request(method, path, json=body)
            if response.status_code >= 300:
                raise BenchError(
                    f"{method} {path} answered {response.status_code}: {response.text[:500]}"
                )


def time_left(phase: Phase) -> float:
    return phase.deadline - time.monotonic()


def run_phase(phase: Phase) -> None:
    workers = os.cpu_count() or 1
    secret = secrets.token_urlsafe(48)
    env = server_env(phase, secret)
    (phase.tmp / "data").mkdir(exist_ok=True)

    log(f"{phase.db}: measuring the ceiling")
    measure_ceiling(phase)

    log(f"{phase.db}: migrating")
    subprocess.run(
        [str(BIN / "teamnotes"), "migrate"], cwd=phase.tmp, env=env, check=True, timeout=120
    )
    log(
        f"{phase.db}: seeding {phase.plan.users} users x {phase.plan.tasks_per_user} tasks "
        f"and {phase.plan.notes_per_user} notes"
    )
    seeded = asyncio.run(seed(phase.url, phase.plan, secret))
    phase.seed_info = {
        "users": phase.plan.users,
        "tasks": phase.plan.users * phase.plan.tasks_per_user,
        "notes": phase.plan.users * phase.plan.notes_per_user,
        "note_content_mb": round(seeded.note_bytes / 1e6, 1),
        "seconds": round(seeded.seconds, 1),
    }
    log(f"{phase.db}: seeded in {seeded.seconds:.1f} s ({phase.seed_info})")
    data_file = phase.tmp / "bench-data.txt"
    write_lua_data(seeded, data_file)
    key_file = phase.tmp / "bench-data-keys.txt"
    write_lua_data(seeded, key_file, keys=True)

    serve = [str(BIN / "teamnotes"), "serve", "--workers", str(workers)]
    server = Server(f"teamnotes-{phase.db}", serve, env=env, cwd=phase.tmp)
    try:
        server.start("/readyz", workers)
        phase.seed_info["worker_rss_after_start_mb"] = [rss_mb(pid) for pid in server.workers]
        sanity_check(server, seeded)
        # Warm-up: every read path once around, not measured.
        log_from = server.log_size()
        for script in ("get_note.lua", "get_task.lua", "list_tasks.lua", "search.lua"):
            run_wrk(server.url, script, connections=CONNECTIONS, duration=1, env=wrk_env(data_file))
        run_wrk(
            server.url, "get_note.lua", connections=CONNECTIONS, duration=1, env=wrk_env(key_file)
        )
        warm = scan_log(server.log_path, log_from)
        if warm["errors"]:
            phase.notes.append(f"errors in the server log during warm-up: {warm['errors'][:3]}")

        for name, label, script, kind in SCENARIOS:
            if time_left(phase) < phase.duration + 5:
                phase.notes.append(f"skipped {name}: out of time")
                continue
            slots = PATCH_SLOTS.get(name, (1, 1))
            before = snapshot(server, phase.pg_database)
            log_from = server.log_size()
            raw = run_wrk(
                server.url,
                script,
                connections=CONNECTIONS,
                duration=phase.duration,
                env=wrk_env(key_file if name == "get_note_key" else data_file, slots),
            )
            resources = resources_between(server, before, phase.pg_database)
            record(
                phase,
                name,
                label,
                kind,
                "closed",
                CONNECTIONS,
                workers,
                closed_loop_record(raw),
                resources,
                server,
                log_from,
            )

        # Open loop: the mixed workload at a fixed offered rate.
        if time_left(phase) > phase.duration + 10:
            jobs = open_loop_mix(seeded, OPEN_LOOP_RATE)
            before = snapshot(server, phase.pg_database)
            log_from = server.log_size()
            result = run_hey(
                server.url, jobs, per_worker=OPEN_LOOP_PER_WORKER, duration=phase.duration
            )
            record(
                phase,
                "open_mixed",
                f"mixed at a fixed {OPEN_LOOP_RATE} req/s (open loop)",
                "mixed",
                "open",
                sum(job.workers for job in jobs),
                workers,
                result,
                resources_between(server, before, phase.pg_database),
                server,
                log_from,
            )
        else:
            phase.notes.append("skipped open-loop mixed: out of time")

        if phase.db == "sqlite":
            if time_left(phase) > phase.duration + 10:
                jobs = open_loop_creates(seeded, OPEN_LOOP_CREATE_RATE)
                before = snapshot(server, phase.pg_database)
                log_from = server.log_size()
                result = run_hey(
                    server.url, jobs, per_worker=OPEN_LOOP_PER_WORKER, duration=phase.duration
                )
                record(
                    phase,
                    "open_create",
                    f"create at a fixed {OPEN_LOOP_CREATE_RATE} req/s (open loop)",
                    "write",
                    "open",
                    sum(job.workers for job in jobs),
                    workers,
                    result,
                    resources_between(server, before, phase.pg_database),
                    server,
                    log_from,
                )
            else:
                phase.notes.append("skipped open-loop create: out of time")
    finally:
        server.stop()
        phase.server_logs[f"{workers} workers"] = scan_log(server.log_path, 0)

    # One worker, 256 connections: it must keep serving.
    if time_left(phase) < phase.duration + 15:
        phase.notes.append("skipped 1 worker x 256 connections: out of time")
        return
    serve_one = [str(BIN / "teamnotes"), "serve", "--workers", "1"]
    server = Server(f"teamnotes-{phase.db}-1worker", serve_one, env=env, cwd=phase.tmp)
    try:
        server.start("/readyz", 1)
        prober = Prober(f"{server.url}/tasks/{seeded.tasks[-1][0]}", seeded.tokens[-1])
        before = snapshot(server, phase.pg_database)
        log_from = server.log_size()
        prober.start()
        try:
            raw = run_wrk(
                server.url,
                "mixed.lua",
                connections=STALL_CONNECTIONS,
                duration=phase.duration,
                env=wrk_env(data_file, PATCH_SLOTS["stall"]),
            )
        finally:
            prober.stop_event.set()
            prober.join(timeout=10)
        result = closed_loop_record(raw)
        result["probe"] = {
            "count": len(prober.latencies),
            "failures": prober.failures[:10],
            "failure_count": len(prober.failures),
            "max_ms": round(max(prober.latencies, default=0) * 1000, 1),
        }
        record(
            phase,
            "stall",
            f"mixed, 1 worker x {STALL_CONNECTIONS} connections",
            "mixed",
            "closed",
            STALL_CONNECTIONS,
            1,
            result,
            resources_between(server, before, phase.pg_database),
            server,
            log_from,
        )
    finally:
        server.stop()
        phase.server_logs["1 worker"] = scan_log(server.log_path, 0)


def open_loop_mix(seeded: Seeded, rate: int) -> list[HeyJob]:
    """The mixed workload's shares as hey processes, each at 10 req/s per worker.

    hey repeats one request, so each share is split over several users and items.
    hey cannot follow ETags: its PATCHes are the completion toggle
    (PATCH /tasks/{id}/complete, If-Match: *), a real change on every request.
    """
    workers_total = round(rate / OPEN_LOOP_PER_WORKER)
    shares = [  # kind, share, processes
        ("get_note", 0.30, 6),
        ("get_task", 0.30, 6),
        ("list_tasks", 0.10, 2),
        ("list_notes", 0.10, 2),
        ("patch_toggle", 0.10, 2),
        ("create_task", 0.05, 1),
        ("search", 0.05, 5),
    ]
    jobs = []
    user = 0
    for kind, share, processes in shares:
        per_process = max(1, round(workers_total * share / processes))
        for number in range(processes):
            user = (user + 37) % len(seeded.tokens)
            token = seeded.tokens[user]
            job = HeyJob(kind, "GET", "", token, per_process)
            if kind == "get_note":
                job.path = f"/notes/{seeded.notes[user][number % len(seeded.notes[user])]}"
            elif kind == "get_task":
                job.path = f"/tasks/{seeded.tasks[user][-1 - number]}"
            elif kind == "list_tasks":
                job.path = "/tasks?status=pending&sort=-due_at&limit=20"
            elif kind == "list_notes":
                job.path = "/notes?limit=20"
            elif kind == "patch_toggle":
                job.method, job.body = "PATCH", "{}"
                job.path = f"/tasks/{seeded.tasks[user][0]}/complete"
                job.headers = ["If-Match: *"]
            elif kind == "create_task":
                job.method, job.path = "POST", "/tasks"
                job.body = '{"title": "Open-loop task", "due_at": "2027-02-01T10:00:00Z"}'
            else:
                job.path = f"/notes?q={seeded.queries[number]}"
            jobs.append(job)
    return jobs


def open_loop_creates(seeded: Seeded, rate: int) -> list[HeyJob]:
    processes = 5
    per_process = round(rate / OPEN_LOOP_PER_WORKER / processes)
    body = '{"title": "Open-loop create", "description": "At a fixed rate."}'
    return [
        HeyJob(
            "create_task",
            "POST",
            "/tasks",
            seeded.tokens[(n * 11) % len(seeded.tokens)],
            per_process,
            body=body,
        )
        for n in range(processes)
    ]


# ------------------------------------------------------------------ PostgreSQL


def admin_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def _admin(statements: list[str]) -> list[Any]:
    import asyncpg

    parts = urlsplit(admin_url())
    connection = await asyncpg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        database=parts.path.lstrip("/") or "postgres",
        timeout=10,
    )
    try:
        results = []
        for statement in statements:
            if statement.lstrip().upper().startswith("SELECT"):
                results.append(await connection.fetch(statement))
            else:
                results.append(await connection.execute(statement))
        return results
    finally:
        await connection.close()


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database, dropped afterwards whatever happens; stale ones of crashed
    runs (no connections, older than 20 minutes) are dropped first."""
    stale = asyncio.run(
        _admin(
            [
                "SELECT datname FROM pg_database WHERE datname LIKE 'teamnotes_bench_%' "
                "AND datname NOT IN (SELECT datname FROM pg_stat_activity "
                "WHERE datname IS NOT NULL)"
            ]
        )
    )[0]
    for row in stale:
        match = re.fullmatch(r"teamnotes_bench_(\d+)_[0-9a-f]+", row["datname"])
        if match and time.time() - int(match[1]) > 1200:
            asyncio.run(_admin([f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)']))
    name = f"teamnotes_bench_{int(time.time())}_{secrets.token_hex(4)}"
    asyncio.run(_admin([f'CREATE DATABASE "{name}"']))
    try:
        yield name
    finally:
        asyncio.run(_admin([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)']))
        log(f"postgresql: dropped database {name}")


def postgres_version() -> str:
    try:
        rows = asyncio.run(_admin(["SELECT version()"]))[0]
        return str(rows[0][0]).split(" on ")[0]
    except (OSError, Exception) as error:
        return f"unreachable ({error})"


# -------------------------------------------------------------------- reporting

READ_P95_MS = 200
WRITE_P95_MS = 500


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets, checked against this run's numbers."""
    found: list[dict[str, Any]] = []

    def row(db: str, name: str) -> dict[str, Any] | None:
        return next((r for r in rows if r["db"] == db and r["name"] == name), None)

    def add(target: str, db: str, ok: bool, measured: str, bar: str) -> None:
        found.append({"target": target, "db": db, "ok": ok, "measured": measured, "bar": bar})

    for db, read_bar, list_bar in (("sqlite", 0.40, 0.25), ("postgresql", 0.25, 0.15)):
        for name in ("get_note", "get_task"):
            if (r := row(db, name)) and r["ratio"] is not None:
                add(
                    f"read one item ({name})",
                    db,
                    r["ratio"] >= read_bar,
                    f"{r['ratio']:.1%} of ceiling ({r['rps']:.0f} req/s)",
                    f"≥ {read_bar:.0%}",
                )
        if (r := row(db, "list_tasks")) and r["ratio"] is not None:
            add(
                "list 20, filter + sort",
                db,
                r["ratio"] >= list_bar,
                f"{r['ratio']:.1%} of ceiling ({r['rps']:.0f} req/s)",
                f"≥ {list_bar:.0%}",
            )
        if r := row(db, "open_mixed"):
            shortfall = r["offered_rps"] - r["rps"]
            ok = r["p99_ms"] <= 50 and r["non_2xx"] == 0 and r["shortfall"] == 0
            add(
                f"mixed at {OPEN_LOOP_RATE} req/s (open loop): p99, non-2xx",
                db,
                ok,
                f"p99 {r['p99_ms']:.1f} ms, {r['non_2xx']} non-2xx, "
                f"{r['rps']:.0f} of {r['offered_rps']:.0f} req/s served"
                + (f" ({shortfall:.0f} short)" if shortfall > 0.03 * r["offered_rps"] else ""),
                "p99 ≤ 50 ms, 0 non-2xx",
            )
        for r in (r for r in rows if r["db"] == db and r["mode"] == "closed"):
            if r["name"] in ("ceiling", "stall"):
                continue
            bar = WRITE_P95_MS if r["kind"] == "write" else READ_P95_MS
            add(
                f"100 connections: p95, non-2xx ({r['name']})",
                db,
                r["p95_ms"] <= bar and r["non_2xx"] == 0 and not r["socket_errors"],
                f"p95 {r['p95_ms']:.0f} ms, {r['non_2xx']} non-2xx"
                + (f", socket errors {r['socket_errors']}" if r["socket_errors"] else ""),
                f"p95 ≤ {bar} ms, 0 non-2xx",
            )
        if r := row(db, "stall"):
            probe = r["probe"]
            seconds = r["server_log"]["responses_per_second"] or {"min": 0, "seconds": 0}
            ok = (
                seconds["min"] > 0
                and probe["failure_count"] == 0
                and not r["socket_errors"].get("timeout")
            )
            add(
                f"1 worker x {STALL_CONNECTIONS} connections keeps serving",
                db,
                ok,
                f"{r['rps']:.0f} req/s; fewest responses in any of {seconds['seconds']} whole "
                f"seconds: {seconds['min']}; p99 {r['p99_ms']:.0f} ms, max {r['max_ms']:.0f} ms; "
                f"probe every 250 ms: {probe['count']} answered, "
                f"{probe['failure_count']} failed, slowest {probe['max_ms']:.0f} ms",
                "every second serves, 0 errors",
            )
        peaks = [
            mb
            for r in rows
            if r["db"] == db and r["name"] not in ("ceiling",)
            for mb in r["server_peak_rss_mb"]
        ]
        if peaks:
            add(
                "peak RSS per worker after the whole run",
                db,
                max(peaks) <= 150,
                f"{max(peaks):.0f} MB",
                "≤ 150 MB",
            )
    if r := row("sqlite", "create_task"):
        add(
            "create on SQLite, saturating",
            "sqlite",
            r["rps"] >= 1500 and r["non_2xx"] == 0,
            f"{r['rps']:.0f} req/s, {r['non_2xx']} non-2xx",
            "≥ 1,500 req/s, 0 errors",
        )
    if r := row("sqlite", "open_create"):
        add(
            f"create on SQLite at {OPEN_LOOP_CREATE_RATE} req/s (open loop)",
            "sqlite",
            r["p99_ms"] <= 100 and r["non_2xx"] == 0 and r["shortfall"] == 0,
            f"p99 {r['p99_ms']:.1f} ms, {r['non_2xx']} non-2xx, {r['rps']:.0f} req/s served",
            "p99 ≤ 100 ms",
        )
    return found


def other_load(row: dict[str, Any]) -> float:
    """The share of the machine's CPU that went to other programs during a run."""
    capacity = row["wall_s"] * (os.cpu_count() or 1)
    return row["other_cpu_s"] / capacity if capacity else 0.0


def _fmt_list(values: list[float], digits: int = 1) -> str:
    return " / ".join(f"{v:.{digits}f}" for v in values)


def summary_table(rows: list[dict[str, Any]]) -> list[str]:
    """Both databases side by side: req/s, share of the ceiling, p95, CPU per request."""
    databases = list(dict.fromkeys(r["db"] for r in rows))
    names = list(dict.fromkeys(r["name"] for r in rows))
    header = "| scenario |" + "".join(
        f" {db}: req/s | of ceiling | p50 / p95 / p99 ms | non-2xx | CPU ms/req |"
        for db in databases
    )
    lines = [header, "|---|" + "--:|--:|--:|--:|--:|" * len(databases)]
    for name in names:
        found = {r["db"]: r for r in rows if r["name"] == name}
        label = next(iter(found.values()))["label"]
        cells = []
        for db in databases:
            r = found.get(db)
            if r is None:
                cells.append(" — | — | — | — | — |")
                continue
            rps = f"{r['rps']:.0f}" + (f" of {r['offered_rps']:.0f}" if r["mode"] == "open" else "")
            ratio = f"{r['ratio']:.1%}" if r["ratio"] is not None else "—"
            cpu = f"{r['server_cpu_ms_per_request']:.2f}"
            if r["db_cpu_ms_per_request"] is not None:
                cpu += f" + {r['db_cpu_ms_per_request']:.2f} PG"
            cells.append(
                f" {rps} | {ratio} | {r['p50_ms']:.0f} / {r['p95_ms']:.0f} / {r['p99_ms']:.0f} "
                f"| {r['non_2xx']} | {cpu} |"
            )
        lines.append(f"| {label} |" + "".join(cells))
    return lines


def markdown(meta: dict[str, Any], rows: list[dict[str, Any]], checks: list[dict]) -> str:
    lines = [
        f"# Benchmark {meta['started']}",
        "",
        f"{meta['machine']}; {meta['commit']}; {meta['versions']}.",
        f"Server: `teamnotes serve --workers {meta['workers']}` (uvicorn), log level INFO "
        "(one JSON access line per request, as shipped), load from wrk "
        f"(-t{WRK_THREADS}, closed loop) and hey (open loop, -q) on the same "
        f"{meta['cores']} cores. {meta['duration']} s per scenario.",
        f"Data per database: {meta['data']}; seeding and worker RSS right after start: "
        f"{meta.get('seed')}.",
        "",
        *summary_table(rows),
        "",
        "All the numbers:",
        "",
        "| DB | scenario | conns | req/s | of ceiling | p50 ms | p95 ms | p99 ms | non-2xx "
        "| server CPU s (per worker) | server CPU ms/req | PG CPU ms/req "
        "| peak RSS MB (per worker) | load-gen CPU s | other load |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "—"
        rps = f"{r['rps']:.0f}"
        if r["mode"] == "open":
            rps += f" of {r['offered_rps']:.0f}"
        pg_cpu = "—" if r["db_cpu_ms_per_request"] is None else f"{r['db_cpu_ms_per_request']:.2f}"
        non_2xx = str(r["non_2xx"])
        if r.get("shortfall"):
            rps += f" ({r['shortfall']} short)"
        if r.get("socket_errors"):
            non_2xx += f" (sockets: {r['socket_errors']})"
        lines.append(
            f"| {r['db']} | {r['label']} | {r['connections']} | {rps} | {ratio} "
            f"| {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['p99_ms']:.1f} | {non_2xx} "
            f"| {_fmt_list(r['server_cpu_s'])} | {r['server_cpu_ms_per_request']:.2f} | {pg_cpu} "
            f"| {_fmt_list(r['server_peak_rss_mb'], 0)} "
            f"| {r['loadgen_cpu_s']:.1f} | {other_load(r):.0%} |"
        )
    lines += [
        "",
        "## Targets (issue 6)",
        "",
        "| target | DB | bar | measured | |",
        "|---|---|---|---|---|",
    ]
    for check in checks:
        verdict = "✅" if check["ok"] else "❌ missed"
        lines.append(
            f"| {check['target']} | {check['db']} | {check['bar']} | {check['measured']} "
            f"| {verdict} |"
        )
    failures = [(r["db"], r["label"], r["server_log"]) for r in rows if r["server_log"]["errors"]]
    non_2xx_rows = [r for r in rows if r["non_2xx"]]
    if failures or non_2xx_rows or meta["notes"]:
        lines += ["", "## Failures and notes", ""]
        for r in non_2xx_rows:
            lines.append(
                f"- {r['db']}, {r['label']}: statuses {r['statuses_by_kind'] or r['statuses']} "
                f"(server access log: {r['server_log']['statuses']})"
            )
        for db, label, server_log in failures:
            lines.append(f"- {db}, {label}: server log errors, first ones:")
            lines.extend(f"    - `{line[:400]}`" for line in server_log["errors"][:3])
        lines.extend(f"- {note}" for note in meta["notes"])
    lines += [
        "",
        "Columns: req/s counts every response; 'of ceiling' divides by the ceiling of the same "
        "database's phase. Latencies are wrk's (closed loop: a connection sends its next "
        "request when the last one is answered) or hey's (open loop: each worker sends one "
        f"request every {1000 / OPEN_LOOP_PER_WORKER:.0f} ms). CPU seconds are per scenario "
        "(user + system, from /proc); CPU ms/req divides the server workers' CPU (and the "
        "CPU of the PostgreSQL backends serving the benchmark's database) by the responses "
        "in the server's access log: what one request costs (other load inflates it "
        "somewhat, far less than req/s). "
        "Peak RSS is each worker's VmHWM so far. Other load is the CPU that other processes "
        "used meanwhile, as a share of all cores: other programs running at the same time.",
        "",
    ]
    return "\n".join(lines)


def machine_description() -> str:
    model = ""
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = re.search(r"MemTotal:\s+(\d+)", _read("/proc/meminfo"))
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
    from importlib.metadata import version

    packages = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "aiosqlite", "asyncpg")
    listed = ", ".join(f"{name} {version(name)}" for name in packages)
    return f"Python {platform.python_version()}, {listed}, {tools['wrk']}, {tools['hey']}"


# ----------------------------------------------------------------------- profile


def profile(scenario: str, duration: int, plan: SeedPlan) -> None:
    """py-spy on the workers while one scenario runs on SQLite: top frames by own time."""
    py_spy = shutil.which("py-spy") or str(BIN / "py-spy")
    if not Path(py_spy).exists():
        raise BenchError("py-spy is not installed: .venv/bin/pip install py-spy")
    script = next(s[2] for s in SCENARIOS if s[0] == scenario)
    tmp = Path(tempfile.mkdtemp(prefix="teamnotes-bench-"))
    phase = Phase("sqlite", f"sqlite:///{tmp}/bench.db", tmp, duration, plan, time.monotonic())
    workers = os.cpu_count() or 1
    secret = secrets.token_urlsafe(48)
    env = server_env(phase, secret)
    server = Server(
        "teamnotes-profile",
        [str(BIN / "teamnotes"), "serve", "--workers", str(workers)],
        env=env,
        cwd=tmp,
    )
    try:
        subprocess.run(
            [str(BIN / "teamnotes"), "migrate"], cwd=tmp, env=env, check=True, timeout=120
        )
        seeded = asyncio.run(seed(phase.url, plan, secret))
        data_file = tmp / "bench-data.txt"
        write_lua_data(seeded, data_file)
        server.start("/readyz", workers)
        run_wrk(server.url, script, connections=CONNECTIONS, duration=2, env=wrk_env(data_file))
        raw_path = tmp / "profile.txt"
        assert server.process is not None
        spy = subprocess.Popen(
            [
                py_spy, "record", "--pid", str(server.process.pid), "--subprocesses",
                "--duration", str(duration), "--rate", "200", "--nolineno",
                "--format", "raw", "--output", str(raw_path),
                *os.environ.get("BENCH_PYSPY_ARGS", "--gil").split(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        raw = run_wrk(
            server.url,
            script,
            connections=CONNECTIONS,
            duration=duration + 2,
            env=wrk_env(data_file, PATCH_SLOTS.get(scenario, (1, 1))),
        )
        spy.wait(timeout=60)
        result = closed_loop_record(raw)
        own, own_package, inclusive, total = summarize_profile(raw_path.read_text())
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        mode = os.environ.get("BENCH_PYSPY_ARGS", "--gil")
        report = [
            f"# py-spy: {scenario} on SQLite, {workers} workers, {CONNECTIONS} connections",
            "",
            f"{result['rps']:.0f} req/s under py-spy; {total} samples at 200 Hz over both "
            f"workers in {duration} s, py-spy {mode} (with --gil: only while holding the GIL, "
            "i.e. Python-level CPU; SQLite's own C code runs without it).",
            "",
            "| own % | samples | frame |",
            "|--:|--:|---|",
        ]
        for frame, count in own.most_common(15):
            report.append(f"| {100 * count / total:.1f} | {count} | `{frame}` |")
        report += ["", "| own % | package |", "|--:|---|"]
        for package, count in own_package.most_common(12):
            report.append(f"| {100 * count / total:.1f} | {package} |")
        report += ["", "| inclusive % | package (any of its frames on the stack) |", "|--:|---|"]
        for package, count in inclusive.most_common():
            report.append(f"| {100 * count / total:.1f} | {package} |")
        text = "\n".join(report) + "\n"
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"profile-{scenario}-{stamp}.md").write_text(text)
        # The stacks themselves, for a flame graph (e.g. `flamegraph.pl` or speedscope).
        with (
            open(raw_path, "rb") as source,
            gzip.open(RESULTS / f"profile-{scenario}-{stamp}.collapsed.txt.gz", "wb") as target,
        ):
            shutil.copyfileobj(source, target)
        print(text)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _package(frame: str) -> str:
    """`func (sqlalchemy/orm/session.py)` -> sqlalchemy; stdlib modules by name."""
    match = re.search(r"\(([^)]*\.py)\)$", frame)
    if not match:
        return "(no Python frame)"
    path = match[1]
    return path.split("/", 1)[0].removesuffix(".py")


def summarize_profile(collapsed: str) -> tuple[Counter[str], Counter[str], Counter[str], int]:
    """Own time per frame and per package, and inclusive time of the packages that
    a request's work goes through, from py-spy's raw (collapsed) output."""
    own: Counter[str] = Counter()
    own_package: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        # Process and thread labels (a worker's command line even holds a ';') are
        # not frames: frames end in "(file.py)".
        frames = [f for f in stack.split(";") if re.search(r"\([^()]*\.py\)$", f)]
        leaf = frames[-1] if frames else "(no Python frame)"
        own[leaf] += count
        own_package[_package(leaf)] += count
        for package in {_package(frame) for frame in frames} & INCLUSIVE_PACKAGES:
            inclusive[package] += count
        total += count
    return own, own_package, inclusive, total


INCLUSIVE_PACKAGES = {
    "sqlalchemy", "aiosqlite", "asyncpg", "pydantic", "jwt", "logging", "json",
    "prometheus_client", "teamnotes", "fastapi", "starlette",
}  # fmt: skip


# -------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 10)))
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "sqlite,postgresql"))
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", 200)))
    parser.add_argument("--tasks", type=int, default=500, help="per user")
    parser.add_argument("--notes", type=int, default=100, help="per user")
    parser.add_argument("--profile", metavar="SCENARIO", help="py-spy one scenario on SQLite")
    args = parser.parse_args()
    if args.tasks < PATCH_SLOTS["stall"][1]:
        parser.error(f"--tasks must be at least {PATCH_SLOTS['stall'][1]} (PATCH slots)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks
    plan = SeedPlan(args.users, args.tasks, args.notes)
    started_wall = datetime.now(UTC)
    started = time.monotonic()
    tools = ensure_tools()
    if args.profile:
        profile(args.profile, args.duration, plan)
        return 0

    databases = [db.strip() for db in args.db.split(",") if db.strip()]
    meta: dict[str, Any] = {
        "started": started_wall.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(),
        "cores": os.cpu_count(),
        "workers": os.cpu_count(),
        "commit": git_commit(),
        "versions": versions(tools),
        "postgresql": postgres_version() if "postgresql" in databases else None,
        "duration": args.duration,
        "data": (
            f"{plan.users} users x {plan.tasks_per_user} tasks and {plan.notes_per_user} notes "
            f"(≈3 KB of Markdown each)"
        ),
        "load_average_at_start": os.getloadavg(),
        "notes": [],
    }
    rows: list[dict[str, Any]] = []
    phases: list[Phase] = []
    # Each phase gets its share of what is left of the ten minutes.
    for position, db in enumerate(databases):
        remaining = BUDGET_S - 20 - (time.monotonic() - started)
        deadline = time.monotonic() + remaining / (len(databases) - position)
        tmp = Path(tempfile.mkdtemp(prefix=f"teamnotes-bench-{db}-"))
        try:
            if db == "sqlite":
                phase = Phase(db, f"sqlite:///{tmp}/bench.db", tmp, args.duration, plan, deadline)
                phases.append(phase)
                run_phase(phase)
            elif db == "postgresql":
                with postgres_database() as name:
                    url = with_database(admin_url(), name)
                    phase = Phase(db, url, tmp, args.duration, plan, deadline, pg_database=name)
                    phases.append(phase)
                    run_phase(phase)
            else:
                parser.error(f"unknown database {db!r}")
        except (BenchError, subprocess.SubprocessError, OSError) as error:
            meta["notes"].append(f"{db}: stopped early: {error}")
            log(f"{db}: stopped early: {error}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    for phase in phases:
        rows.extend(phase.rows)
        meta["notes"].extend(f"{phase.db}: {note}" for note in phase.notes)
        meta.setdefault("seed", {})[phase.db] = phase.seed_info
        meta.setdefault("server_logs", {})[phase.db] = phase.server_logs
    meta["total_seconds"] = round(time.monotonic() - started, 1)
    disturbed = [
        f"{r['db']} {r['name']} ({other_load(r):.0%})" for r in rows if other_load(r) > 0.1
    ]
    if disturbed:
        meta["notes"].append(
            "other programs took more than 10 % of the machine during: "
            + ", ".join(disturbed)
            + ": those numbers understate the service"
        )
    checks = targets(rows)
    text = markdown(meta, rows, checks)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = started_wall.strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}.json").write_text(
        json.dumps({"meta": meta, "rows": rows, "targets": checks}, indent=2, default=str) + "\n"
    )
    (RESULTS / f"{stamp}.md").write_text(text)
    (RESULTS / "latest.md").write_text(text)
    print()
    print(text)
    log(f"done in {meta['total_seconds']:.0f} s; results in bench/results/{stamp}.{{json,md}}")
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
