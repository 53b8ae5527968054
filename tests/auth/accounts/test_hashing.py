"""A burst of sign-ups and logins hashes passwords on as many threads as the machine
has cores, never more, and the process keeps none of their memory afterwards: each
argon2 hash holds 19 MiB while it runs."""

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

from teamnotes.auth import passwords
from tests.auth.accounts.support import register
from tests.factories import PASSWORD, unique_email

BURST = 12


class CountingHasher:
    """The real hasher, counting how many of its hashes run at the same time."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0

    def _counted(self, work: Any, *arguments: str) -> Any:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.02)  # long enough for the burst to pile up
            return work(*arguments)
        finally:
            with self.lock:
                self.running -= 1

    def hash(self, password: str) -> str:
        return self._counted(self.real.hash, password)  # type: ignore[no-any-return]

    def verify(self, password_hash: str, password: str) -> bool:
        return self._counted(self.real.verify, password_hash, password)  # type: ignore[no-any-return]


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", counting)
    return counting


async def test_a_burst_of_sign_ups_and_logins_hashes_on_a_thread_per_core(
    client: httpx.AsyncClient, hasher: CountingHasher
) -> None:
    emails = [unique_email() for _ in range(BURST)]
    signed_up = await asyncio.gather(*(register(client, email=email) for email in emails))
    assert [response.status_code for response in signed_up] == [201] * BURST
    logged_in = await asyncio.gather(
        *(
            client.post("/auth/token", data={"username": email, "password": PASSWORD})
            for email in emails
        )
    )
    assert [response.status_code for response in logged_in] == [200] * BURST
    assert hasher.most == min(BURST, passwords.HASHING_THREADS)


def resident_mib() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


async def test_the_memory_of_a_burst_of_hashes_is_given_back() -> None:
    before = resident_mib()
    await asyncio.gather(*(passwords.hash_password(f"password {n}") for n in range(BURST)))
    # Kept, it would be 19 MiB for each hashing thread.
    assert resident_mib() - before < 10
