"""Many writers at once on a team workspace: creates, updates, completions, deletions
and moves to and from a second workspace, through the public API of a server."""

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.factories import User

# What a writer may meet when another got there first: the item is gone (deleted, or
# moved away) by the time its request runs.
RACED = 404


@dataclass
class Workload:
    """The shared picture the writers keep of where each item is (kind, workspace)."""

    url: str
    users: list[User]
    home: str
    away: str
    items: dict[str, tuple[str, str]] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)

    async def run(self, writers: int, writes: int, seed: int) -> None:
        """`writes` writes in all, spread over `writers` concurrent clients."""
        share = [writes // writers + (n < writes % writers) for n in range(writers)]
        await asyncio.gather(
            *(self._writer(random.Random(seed * 1000 + n), share[n]) for n in range(writers))
        )

    async def _writer(self, rng: random.Random, writes: int) -> None:
        user = self.users[rng.randrange(len(self.users))]
        # A client (and so connections) of its own: the writes spread over the workers.
        async with httpx.AsyncClient(base_url=self.url, timeout=60) as http:
            for _ in range(writes):
                await self._one(http, user, rng)

    async def _one(self, http: httpx.AsyncClient, user: User, rng: random.Random) -> None:
        ids = list(self.items)
        action = rng.choices(
            ["create", "update", "complete", "delete", "move"], weights=[30, 25, 10, 15, 20]
        )[0]
        if action == "create" or not ids:
            await self._create(http, user, rng)
            return
        item_id = rng.choice(ids)
        kind, where = self.items[item_id]
        if action == "complete" and kind == "note":
            action = "update"  # notes have no completion
        path = f"/workspaces/{where}/{kind}s/{item_id}"
        if action == "update":
            body = {"title": f"t{rng.randrange(10**6)}"}
            response = await http.patch(path, json=body, headers=user.headers)
        elif action == "complete":
            response = await http.patch(f"{path}/complete", headers=user.headers)
        elif action == "delete":
            response = await http.delete(path, headers=user.headers)
            if response.status_code == 204:
                self.items.pop(item_id, None)
        else:
            target = self.away if where == self.home else self.home
            response = await http.post(
                f"{path}/move", json={"workspace_id": target}, headers=user.headers
            )
            if response.status_code == 200:
                self.items[item_id] = (kind, target)
        self._count(action, response)

    async def _create(self, http: httpx.AsyncClient, user: User, rng: random.Random) -> None:
        kind = rng.choice(["note", "task"])
        # Mostly at home, the workspace under watch; some elsewhere, to move in later.
        where = self.home if rng.random() < 0.8 else self.away
        body = {"title": f"c{rng.randrange(10**6)}"}
        response = await http.post(f"/workspaces/{where}/{kind}s", json=body, headers=user.headers)
        self._count("create", response)
        self.items[response.json()["id"]] = (kind, where)

    def _count(self, action: str, response: httpx.Response) -> None:
        status = response.status_code
        assert status < 300 or status == RACED, (action, status, response.text)
        self.outcomes[f"{action} {status}"] += 1
