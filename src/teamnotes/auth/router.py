from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from teamnotes.auth import service, sessions
from teamnotes.auth.dependencies import ClientAddress, CurrentPrincipal, require_local_auth
from teamnotes.auth.schemas import (
    LoginForm,
    LoginJSON,
    RefreshRequest,
    TokenPair,
    UserCreate,
    UserRead,
    UserUpdate,
)
from teamnotes.auth.throttle import FailureStore
from teamnotes.auth.tokens import TokenIssuer
from teamnotes.kit.db import ReadSessionDep, SessionDep
from teamnotes.kit.errors import UnsupportedMediaType, error_responses
from teamnotes.kit.routing import JSONRoute, has_body, is_form, is_json, media_type

router = APIRouter(prefix="/auth", tags=["auth"], route_class=JSONRoute)

_LOCAL_ONLY = [Depends(require_local_auth)]


def _issuer(request: Request) -> TokenIssuer:
    return request.app.state.token_issuer  # type: ignore[no-any-return]


def _failures(request: Request) -> FailureStore:
    return request.app.state.login_failures  # type: ignore[no-any-return]


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    dependencies=_LOCAL_ONLY,
    responses=error_responses(400, 403, 409, 413, 415, 422),
)
async def register(session: SessionDep, data: UserCreate) -> UserRead:
    """Create a local account."""
    return await service.register(session, data=data)


def _parse(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_input=False)]
        ) from error


async def login_credentials(request: Request) -> LoginJSON:
    """Email and password from the OAuth2 form or from a JSON body."""
    media = media_type(request)
    if is_form(media):
        form = _parse(LoginForm, dict((await request.form()).items()))
        return LoginJSON(email=form.username, password=form.password)
    if is_json(media) or not has_body(request):
        try:
            body = await request.json() if has_body(request) else None
        except ValueError as error:
            raise RequestValidationError([{"type": "json_invalid", "loc": ("body",)}]) from error
        return _parse(LoginJSON, body)  # type: ignore[no-any-return]
    raise UnsupportedMediaType("Send the OAuth2 password form or a JSON body")


_LOGIN_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {"schema": LoginForm.model_json_schema()},
        "application/json": {"schema": LoginJSON.model_json_schema()},
    },
}


@router.post(
    "/token",
    dependencies=_LOCAL_ONLY,
    responses=error_responses(400, 401, 403, 413, 415, 422, 429),
    openapi_extra={"requestBody": _LOGIN_BODY},
)
async def login(
    request: Request,
    reader: ReadSessionDep,
    writer: SessionDep,
    address: ClientAddress,
    credentials: Annotated[LoginJSON, Depends(login_credentials)],
) -> TokenPair:
    """Exchange an email and password for an access token and a refresh token."""
    return await service.login(
        reader,
        writer,
        issuer=_issuer(request),
        store=_failures(request),
        email=credentials.email,
        password=credentials.password,
        address=address,
    )


@router.post(
    "/refresh",
    dependencies=_LOCAL_ONLY,
    responses=error_responses(400, 401, 403, 413, 415, 422),
)
async def refresh(request: Request, session: SessionDep, data: RefreshRequest) -> TokenPair:
    """Exchange a refresh token for a new pair; the presented one stops working."""
    grace = request.app.state.refresh_reuse_grace
    return await sessions.refresh(session, _issuer(request), token=data.refresh_token, grace=grace)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=_LOCAL_ONLY,
    responses=error_responses(400, 403, 413, 415, 422),
)
async def logout(session: SessionDep, data: RefreshRequest) -> None:
    """End the login a refresh token belongs to."""
    await sessions.logout(session, token=data.refresh_token)


@router.get("/me", responses=error_responses(401))
async def read_me(session: SessionDep, principal: CurrentPrincipal) -> UserRead:
    """The calling user."""
    return await service.read_me(session, principal=principal)


@router.patch("/me", responses=error_responses(400, 401, 403, 413, 415, 422, 429))
async def update_me(
    request: Request,
    reader: ReadSessionDep,
    writer: SessionDep,
    principal: CurrentPrincipal,
    address: ClientAddress,
    data: UserUpdate,
) -> UserRead:
    """Change the display name or the password (which needs `current_password`)."""
    return await service.update_me(
        reader,
        writer,
        principal=principal,
        data=data,
        store=_failures(request),
        address=address,
        local_auth=request.app.state.settings.local_auth,
    )


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(401, 409))
async def delete_me(request: Request, session: SessionDep, principal: CurrentPrincipal) -> None:
    """Delete the calling user with their personal workspace and their memberships
    (409 while they are the only owner of a team workspace with other members)."""
    await service.delete_me(session, principal=principal)
    request.app.state.external_accounts.forget(principal.id)
