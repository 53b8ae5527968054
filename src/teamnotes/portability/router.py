"""Export and import (API.md §10), under each path style."""

import hashlib
import re
import tempfile
from functools import partial
from typing import IO, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from teamnotes.kit.db import SessionDep, utcnow
from teamnotes.kit.errors import UnsupportedMediaType, error_responses
from teamnotes.kit.idempotency import IdempotencyKeyHeader, respond_once
from teamnotes.kit.routing import JSONRoute, media_type, rebound
from teamnotes.portability import export, imports
from teamnotes.portability.schemas import ImportCounts
from teamnotes.workspaces import gate
from teamnotes.workspaces.dependencies import PersonalAccess, WorkspaceAccess
from teamnotes.workspaces.service import get_workspace

ZIP = "application/zip"
# The paths whose bodies may be as large as TEAMNOTES_MAX_IMPORT_BYTES, not the usual limit.
IMPORT_PATHS = re.compile(r"(/workspaces/[^/]+)?/import")
# An import's body stays in memory up to this size, and goes to a temporary file past it.
_IN_MEMORY = 1024 * 1024
# What an import may expand to, in multiples of the largest body it takes.
EXPANSION = 10


class NotAZip(UnsupportedMediaType):
    detail = "Request body must be a zip archive (Content-Type: application/zip)"


async def export_workspace(
    request: Request, session: SessionDep, access: PersonalAccess
) -> StreamingResponse:
    """Download the workspace's notes and tasks as a zip (viewers too); streamed."""
    workspace = await get_workspace(session, access=access)
    return StreamingResponse(
        export.chunks(request.app.state.database, access),
        media_type=ZIP,
        headers={"Content-Disposition": export.disposition(workspace.name, utcnow())},
    )


async def import_workspace(
    request: Request,
    session: SessionDep,
    access: PersonalAccess,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Create notes and tasks from a zip of Markdown files or a Team Notes export
    (editors); all or nothing, retry-safe with `Idempotency-Key`."""
    if media_type(request) != ZIP:
        raise NotAZip()
    # Who may import is known before the body is read, and without the writer.
    async with request.app.state.database.read_session() as reading:
        await gate.explain(reading, access)
    limit: int = request.app.state.max_import_bytes
    with (
        tempfile.TemporaryDirectory(prefix="teamnotes-import-") as directory,
        tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY, dir=directory) as body,
    ):
        digest = await _spool(request, body)

        async def counted() -> Response:
            counts = await imports.import_archive(
                session, access=access, file=body, max_expanded=EXPANSION * limit
            )
            return Response(counts.model_dump_json(), media_type="application/json")

        return await respond_once(
            session,
            owner_id=access.user_id,
            workspace_id=access.workspace_id,
            key=idempotency_key,
            operation="import_workspace",
            request=digest,
            respond=counted,
            authorize=partial(gate.explain, session, access),
        )


async def _spool(request: Request, body: IO[bytes]) -> str:
    """Write the request's body to `body`; its SHA-256. The body-size middleware stops
    it at the first byte past the import limit (413)."""
    digest = hashlib.sha256()
    async for chunk in request.stream():
        digest.update(chunk)
        body.write(chunk)
    return digest.hexdigest()


_BINARY = {"schema": {"type": "string", "format": "binary"}}


def build_router(prefix: str, *, access: Any, suffix: str = "") -> APIRouter:
    router = APIRouter(
        prefix=prefix,
        tags=["export and import"],
        route_class=JSONRoute,
        responses=error_responses(401, 404, 422),
    )
    router.add_api_route(
        "/export",
        rebound(export_workspace, access=access),
        methods=["GET"],
        name=f"export_workspace{suffix}",
        response_class=Response,
        responses={
            200: {
                "description": "The workspace as a zip: manifest.json, notes/*.md, tasks.json",
                "content": {ZIP: _BINARY},
                "headers": {
                    "Content-Disposition": {
                        "description": "`attachment`, with the file name to save it under.",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                },
            }
        },
    )
    router.add_api_route(
        "/import",
        rebound(import_workspace, access=access),
        methods=["POST"],
        name=f"import_workspace{suffix}",
        response_model=ImportCounts,
        responses=error_responses(403, 409, 413, 415),
        openapi_extra={"requestBody": {"required": True, "content": {ZIP: _BINARY}}},
    )
    return router


routers = (
    build_router("", access=PersonalAccess),
    build_router("/workspaces/{workspace_id}", access=WorkspaceAccess, suffix="_in_workspace"),
)
