"""Entity tags and conditional requests (API.md §1 Concurrency)."""

import re
from typing import Annotated, Any

from fastapi import Header, Response

IfMatch = Annotated[
    str | None,
    Header(description='Apply only if the item is at this version (`"3"`); else 412.'),
]
IfNoneMatch = Annotated[
    str | None,
    Header(description="Answer 304 with no body when the item is still at this version."),
]


ETAG_HEADER: dict[str, Any] = {
    "ETag": {
        "description": 'The version of the item, quoted (`"3"`), for If-Match and If-None-Match.',
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
    }
}
"""The OpenAPI `headers` of every response that carries one item."""


def etag(version: int) -> str:
    return f'"{version}"'


def not_modified(header: str | None, version: int) -> Response | None:
    """A 304 when If-None-Match names this version (weak comparison, RFC 9110 §13.1.2)."""
    if header is None:
        return None
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" in tags or etag(version) in tags:
        return Response(status_code=304, headers={"ETag": etag(version)})
    return None


# A tag this API issues: a version in quotes (the column is a 32-bit integer).
_ISSUED_TAG = re.compile(r'"([0-9]{1,9})"')

NO_VERSION = 0
"""Matches no item: versions start at 1."""


def expected_version(header: str | None) -> int | None:
    """The version an If-Match header requires, or None when any version will do.

    If-Match compares strongly: a weak tag, or one this API never issued, matches no
    version (NO_VERSION), so the write is refused with 412 rather than applied. It is
    not refused here: a missing item answers 404 whatever the preconditions say
    (RFC 9110 §13.2.1).
    """
    if header is None or header.strip() == "*":
        return None
    for tag in header.split(","):
        if issued := _ISSUED_TAG.fullmatch(tag.strip()):
            return int(issued[1])
    return NO_VERSION


def created_headers(what: str) -> dict[str, Any]:
    """The OpenAPI `headers` of a 201: the new item's tag and its URL."""
    return {
        **ETAG_HEADER,
        "Location": {
            "description": f"The new {what}'s URL, under the path style of the request.",
            "required": True,
            "schema": {"type": "string"},
        },
    }
