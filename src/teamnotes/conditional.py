"""Entity tags and conditional requests (API.md §1 Concurrency)."""

from typing import Annotated

from fastapi import Header, Response

from teamnotes.errors import PreconditionFailed

IfMatch = Annotated[
    str | None,
    Header(description='Apply only if the item is at this version (`"3"`); else 412.'),
]
IfNoneMatch = Annotated[
    str | None,
    Header(description="Answer 304 with no body when the item is still at this version."),
]


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


def expected_version(header: str | None) -> int | None:
    """The version an If-Match header requires, or None when any version will do.

    If-Match compares strongly: a weak tag, or one this API never issued, cannot
    match, so the write is refused (412) rather than applied.
    """
    if header is None or header.strip() == "*":
        return None
    for tag in header.split(","):
        tag = tag.strip()
        if len(tag) > 2 and tag[0] == tag[-1] == '"' and tag[1:-1].isdigit():
            return int(tag[1:-1])
    raise PreconditionFailed()
