"""What a write to a workspace's item meant, told to those who record it (revisions,
webhook events) inside the write's own transaction."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from teamnotes.workspaces.gate import Access


@dataclass(frozen=True, slots=True)
class Written:
    """What a write meant, for those who record it (revisions, webhook events)."""

    kind: str
    event: Literal["created", "updated", "deleted"]
    access: Access
    item_id: uuid.UUID
    item: BaseModel | None
    """The item as its GET returns it; None once it left the workspace."""
    position: int


Recorder = Callable[[AsyncSession, Written], Awaitable[None]]
