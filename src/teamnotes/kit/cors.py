"""CORS from settings (API.md §5), with refused preflights in the contract's error body."""

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from teamnotes.kit.errors import error_response

ALLOWED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
ALLOWED_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "X-Request-ID",
]
EXPOSED_HEADERS = ["ETag", "Location", "X-Request-ID", "Retry-After"]


class ContractCORSMiddleware(CORSMiddleware):
    def __init__(self, app: ASGIApp, *, origins: list[str], allow_credentials: bool) -> None:
        super().__init__(
            app,
            allow_origins=origins,
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            allow_credentials=allow_credentials,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)
            if "origin" in headers and "access-control-request-method" in headers:
                response = self.preflight_response(request_headers=headers)
                if response.status_code == 400:
                    reason = bytes(response.body).decode()
                    response = error_response(
                        scope, 400, "bad_request", f"CORS preflight refused: {reason}"
                    )
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
