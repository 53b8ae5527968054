"""Who is calling: the bearer token's subject, checked on every protected route."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from teamnotes.auth.tokens import TokenIssuer
from teamnotes.errors import NotAuthenticated

# Declares the scheme in OpenAPI, so Swagger UI's Authorize button logs in by form.
_bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


async def current_user_id(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> str:
    """The caller's user id (the token's `sub`); 401 without a valid token."""
    if not token:
        raise NotAuthenticated()
    issuer: TokenIssuer = request.app.state.token_issuer
    user_id = issuer.subject_of(token)
    request.state.user_id = user_id
    return user_id


CurrentUserId = Annotated[str, Depends(current_user_id)]
