"""`/auth/api-keys` (API.md §11): a signed-in user's keys for scripts."""

from typing import Annotated

from fastapi import APIRouter, Path, status

from teamnotes.auth import api_keys_service as service
from teamnotes.auth.api_keys_schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from teamnotes.auth.dependencies import CurrentPrincipal
from teamnotes.kit.db import SessionDep
from teamnotes.kit.errors import error_responses
from teamnotes.kit.pagination import Page, PageDep
from teamnotes.kit.routing import JSONRoute

router = APIRouter(
    prefix="/auth/api-keys",
    tags=["auth"],
    route_class=JSONRoute,
    responses=error_responses(401, 403, 422),
)

KeyId = Annotated[str, Path(description="The key's id.")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 404, 409, 413, 415),
)
async def create_api_key(
    session: SessionDep, principal: CurrentPrincipal, data: ApiKeyCreate
) -> ApiKeyCreated:
    """Make an API key; its `token` is shown in this answer only."""
    return await service.create_key(session, principal=principal, data=data)


@router.get("")
async def list_api_keys(
    session: SessionDep, principal: CurrentPrincipal, page: PageDep
) -> Page[ApiKeyRead]:
    """Your API keys, newest first, without their tokens."""
    return await service.list_keys(session, principal=principal, page=page)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(404))
async def revoke_api_key(session: SessionDep, principal: CurrentPrincipal, key_id: KeyId) -> None:
    """Revoke a key: it stops working at once."""
    await service.revoke_key(session, principal=principal, key_id=key_id)
