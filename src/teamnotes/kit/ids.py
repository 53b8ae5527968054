"""Row ids: UUIDv7 (time-ordered, so new rows append to the primary-key index)."""

import uuid

from uuid_utils.compat import uuid7


def new_id() -> uuid.UUID:
    return uuid7()


def parse_id(text: str) -> uuid.UUID | None:
    """The id in a path, or None when it is malformed (and so cannot exist).

    Only the canonical lowercase form names a row: `uuid.UUID` also takes upper case,
    braces, `urn:` and misplaced hyphens, and those spellings must not alias an id.
    """
    if len(text) != 36:
        return None
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        return None
    return parsed if str(parsed) == text else None
