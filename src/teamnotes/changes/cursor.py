"""Feed cursors: opaque to clients, naming a workspace and a position in its feed."""

import base64
import binascii
import uuid

from teamnotes.kit.errors import ValidationFailed

_VERSION = b"\x01"
_LENGTH = 1 + 16 + 8


class CursorInvalid(ValidationFailed):
    detail = "This cursor is not one of this workspace's feed"
    field_error_code = "invalid_cursor"

    def __init__(self) -> None:
        super().__init__(field="query.cursor")


def encode(workspace_id: uuid.UUID, position: int) -> str:
    raw = _VERSION + workspace_id.bytes + position.to_bytes(8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(cursor: str, workspace_id: uuid.UUID) -> int:
    """The position a cursor of this workspace names; CursorInvalid (422) otherwise."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError) as error:
        raise CursorInvalid() from error
    if len(raw) != _LENGTH or raw[:1] != _VERSION or raw[1:17] != workspace_id.bytes:
        raise CursorInvalid()
    return int.from_bytes(raw[17:], "big")
