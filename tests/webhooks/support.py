"""Waiting for what the dispatcher records, within a bound."""

import asyncio
from typing import Any

import httpx


async def deliveries(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    workspace_id: str,
    webhook_id: str,
    count: int,
) -> list[dict[str, Any]]:
    """The webhook's delivery attempts, newest first, once `count` are recorded."""
    path = f"/workspaces/{workspace_id}/webhooks/{webhook_id}/deliveries"
    for _ in range(200):
        listed = await client.get(path, headers=headers)
        assert listed.status_code == 200, listed.text
        if listed.json()["total"] >= count:
            return listed.json()["items"]  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} deliveries recorded")
