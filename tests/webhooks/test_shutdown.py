"""A server process stops promptly, whatever its dispatcher is doing at that moment."""

import asyncio

from teamnotes.kit.db import Database
from teamnotes.webhooks.dispatcher import Dispatcher, RetryPolicy
from teamnotes.webhooks.outbox import RECORDED
from teamnotes.webhooks.sender import Sender


async def test_a_commit_heard_as_the_process_stops_does_not_hold_the_stop(
    database_url: str,
) -> None:
    # The wake-up of a commit and the stop land in the same turn of the loop: a wait
    # that took the wake-up for its answer and dropped the stop kept the dispatcher
    # looping, and the process's shutdown waited for it for ever.
    database = Database(database_url)
    sender = Sender(timeout=5.0, connections=2, allow_private=False)
    policy = RetryPolicy(first_retry=1.0, retry_for=60.0, disable_after=50)
    dispatcher = Dispatcher(database, sender, policy, concurrency=2, poll_interval=30.0)
    try:
        dispatcher.start()
        await asyncio.sleep(0.2)  # its first round is done: it waits for a commit
        dispatcher.committed({RECORDED: True})
        stopping = asyncio.create_task(dispatcher.stop())
        done, _ = await asyncio.wait([stopping], timeout=5)
        assert stopping in done, "the dispatcher did not stop"
    finally:
        await database.dispose()
