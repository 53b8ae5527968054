"""Every table, imported in one place so that Alembic sees the whole schema."""

from teamnotes.auth.api_keys import ApiKey
from teamnotes.auth.models import ExternalUser, LoginFailure, RefreshToken, User
from teamnotes.changes.streams import EventStream
from teamnotes.changes.tombstones import ChangeTombstone
from teamnotes.housekeeping import HousekeepingRun
from teamnotes.kit.db import Base
from teamnotes.kit.idempotency import IdempotencyKey
from teamnotes.notes.models import Note, NoteRevision, PublicLink
from teamnotes.tasks.models import Task
from teamnotes.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from teamnotes.workspaces.models import Invitation, Membership, Workspace

__all__ = [
    "ApiKey",
    "Base",
    "ChangeTombstone",
    "EventStream",
    "ExternalUser",
    "HousekeepingRun",
    "IdempotencyKey",
    "Invitation",
    "LoginFailure",
    "Membership",
    "Note",
    "NoteRevision",
    "PublicLink",
    "RefreshToken",
    "Task",
    "User",
    "Webhook",
    "WebhookDelivery",
    "WebhookEvent",
    "Workspace",
]
