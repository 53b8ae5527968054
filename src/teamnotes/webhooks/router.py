"""The webhook routes (API.md §12): a workspace's admins manage them."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from teamnotes.kit.db import SessionDep
from teamnotes.kit.errors import error_responses
from teamnotes.kit.pagination import Page, PageDep
from teamnotes.kit.routing import JSONRoute
from teamnotes.webhooks import service
from teamnotes.webhooks.schemas import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from teamnotes.workspaces.dependencies import WorkspaceAccess

router = APIRouter(
    prefix="/workspaces/{workspace_id}/webhooks",
    tags=["webhooks"],
    route_class=JSONRoute,
    responses=error_responses(401, 403, 404, 422),
)

WebhookId = Annotated[str, Path(description="The webhook's id.")]
_BODY = error_responses(400, 413, 415)


def _allow_private(request: Request) -> bool:
    return bool(request.app.state.settings.webhooks_allow_private)


@router.post("", status_code=status.HTTP_201_CREATED, responses=_BODY)
async def create_webhook(
    request: Request, session: SessionDep, access: WorkspaceAccess, data: WebhookCreate
) -> WebhookCreated:
    """Subscribe a URL to the workspace's events; its `secret` is in this answer only."""
    return await service.create_webhook(
        session, access=access, data=data, allow_private=_allow_private(request)
    )


@router.get("")
async def list_webhooks(
    session: SessionDep, access: WorkspaceAccess, page: PageDep
) -> Page[WebhookRead]:
    """The workspace's webhooks, newest first."""
    return await service.list_webhooks(session, access=access, page=page)


@router.get("/{webhook_id}")
async def read_webhook(
    session: SessionDep, access: WorkspaceAccess, webhook_id: WebhookId
) -> WebhookRead:
    """One webhook, without its secret."""
    return await service.get_webhook(session, access=access, webhook_id=webhook_id)


@router.patch("/{webhook_id}", responses=_BODY)
async def update_webhook(
    request: Request,
    session: SessionDep,
    access: WorkspaceAccess,
    webhook_id: WebhookId,
    data: WebhookUpdate,
) -> WebhookRead:
    """Change its URL, events, description or `active` (true clears its failure count)."""
    return await service.update_webhook(
        session,
        access=access,
        webhook_id=webhook_id,
        data=data,
        allow_private=_allow_private(request),
    )


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_webhook(
    session: SessionDep, access: WorkspaceAccess, webhook_id: WebhookId
) -> None:
    """Remove a webhook; what it has not delivered yet is dropped."""
    await service.delete_webhook(session, access=access, webhook_id=webhook_id)


@router.get("/{webhook_id}/deliveries")
async def list_deliveries(
    session: SessionDep, access: WorkspaceAccess, webhook_id: WebhookId, page: PageDep
) -> Page[DeliveryRead]:
    """Every delivery attempt of the webhook, newest first."""
    return await service.list_deliveries(session, access=access, webhook_id=webhook_id, page=page)
