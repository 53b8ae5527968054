"""Password hashing with argon2id, off the event loop.

Each hash takes 19 MiB for the time it runs. They run on a pool of their own, with as
many threads as the machine has cores: hashing is CPU-bound, so more threads would
not answer sooner, and a burst of logins costs a bounded amount of memory (the
event loop's default pool would run up to 32 at once, over half a gigabyte).

glibc keeps a block that large once freed, one per thread that hashed, for ever: it
raises its threshold for giving memory back to the size of the largest block freed.
Fixing that threshold at 1 MiB gives each hash's memory back when it ends (a process
then holds none of it between logins); where the C library is not glibc, this does
nothing.
"""

import asyncio
import contextlib
import ctypes
import os
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
with contextlib.suppress(AttributeError, OSError):
    ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, 1 << 20)

HASHING_THREADS = os.cpu_count() or 1
_hashing = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="argon2")


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash no password matches, verified for unknown emails so they cost the same."""
    return _hasher.hash("no account has this password")


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_hashing, _hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_hashing, _verify, password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
