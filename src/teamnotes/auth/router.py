from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from teamnotes.auth import service
from teamnotes.auth.dependencies import CurrentUserId
from teamnotes.auth.schemas import LoginForm, LoginJSON, TokenPair, UserCreate, UserRead
from teamnotes.auth.tokens import TokenIssuer
from teamnotes.db import ReadSessionDep, SessionDep
from teamnotes.errors import InvalidToken, UnsupportedMediaType, error_responses
from teamnotes.routing import JSONRoute, has_body, is_form, is_json, media_type

router = APIRouter(prefix="/auth", tags=["auth"], route_class=JSONRoute)


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 409, 413, 415, 422),
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
    responses=error_responses(400, 401, 413, 415, 422),
    openapi_extra={"requestBody": _LOGIN_BODY},
)
async def login(
    request: Request,
    session: ReadSessionDep,
    credentials: Annotated[LoginJSON, Depends(login_credentials)],
) -> TokenPair:
    """Exchange an email and password for an access token."""
    user_id = await service.authenticate(
        session, email=credentials.email, password=credentials.password
    )
    issuer: TokenIssuer = request.app.state.token_issuer
    return TokenPair(
        access_token=issuer.access_token(str(user_id)),
        expires_in=int(issuer.access_ttl.total_seconds()),
    )


@router.get("/me", responses=error_responses(401))
async def read_me(session: ReadSessionDep, user_id: CurrentUserId) -> UserRead:
    """The calling user."""
    user = await service.get_user(session, user_id=user_id)
    if user is None:
        # A valid signature for an account that no longer exists.
        raise InvalidToken()
    return user
