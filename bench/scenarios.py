"""What is measured: the closed-loop scenarios (a wrk Lua script each) and the
open-loop workloads (hey processes)."""

from dataclasses import dataclass

from .load import HeyJob
from .seed import CROWD_FACTOR, Seeded
from .shared import OPEN_LOOP_PER_WORKER


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    script: str  # in bench/lua/
    kind: str  # read, write or mixed: which latency bar applies
    api_key: bool = False  # each user's API key (bench-data-keys.txt) instead of a JWT


SCENARIOS = [
    Scenario("get_note", "GET note by id", "get_note.lua", "read"),
    Scenario("get_note_key", "GET note by id with an API key", "get_note.lua", "read", True),
    Scenario("get_task", "GET task by id", "get_task.lua", "read"),
    Scenario(
        "get_team_note", "GET note in a 20-member team workspace", "get_team_note.lua", "read"
    ),
    Scenario("list_tasks", "list 20 tasks, status filter + sort", "list_tasks.lua", "read"),
    Scenario("search", "search notes (?q=word)", "search.lua", "read"),
    # Next to the plain search in the tables, to compare the two.
    Scenario(
        "search_crowded",
        f"search, {CROWD_FACTOR}x as many matches elsewhere",
        "search_crowded.lua",
        "read",
    ),
    Scenario("create_task", "create task (POST)", "create_task.lua", "write"),
    Scenario("patch_task", "PATCH task with If-Match", "patch_task.lua", "write"),
    Scenario("mixed", "mixed 60/20/10/5/5", "mixed.lua", "mixed"),
]

# Which task slots (1-based `order` of each user's seeded tasks) each wrk run may PATCH,
# so that no two runs share a task's version history (see bench/lua/common.lua).
PATCH_SLOTS = {"patch_task": (1, 250), "mixed": (251, 375), "stall": (376, 500)}
UNPATCHED = (1, 1)  # the slots of runs that PATCH nothing (common.lua reads a range)


def patch_slots(run: str) -> tuple[int, int]:
    """The task slots a run may PATCH."""
    return PATCH_SLOTS.get(run, UNPATCHED)


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
            job = HeyJob(kind, "GET", "", seeded.tokens[user], per_process)
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
