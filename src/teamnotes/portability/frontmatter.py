"""YAML front matter: written at the top of every exported note, read from imported ones.

A front matter block is the text between a first line `---` and the next line `---`
(or `...`), parsed with PyYAML's safe loader: plain data only, never an object of
Python's. A block that is not a YAML mapping is no front matter at all: the file is
then all content, so nothing of it is lost.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_OPENING = re.compile(r"---[ \t]*\r?\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.MULTILINE)
# Past any title a note can have: long lines stay on one line.
_NO_FOLDING = 1_000_000
_HEADING = re.compile(r" {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_FENCE = re.compile(r" {0,3}(```|~~~)")


def with_front_matter(fields: Mapping[str, str], content: str) -> str:
    """`content` exactly, after a front matter block holding `fields`."""
    block = yaml.dump(
        dict(fields),
        Dumper=_DUMPER,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=_NO_FOLDING,
    )
    return f"---\n{block}---\n{content}"


@dataclass(frozen=True, slots=True)
class Document:
    fields: dict[str, Any]
    """The front matter's keys and values; empty when the file has none."""
    body: str
    """What follows the front matter (the whole text when there is none)."""


def parse(text: str) -> Document:
    """The front matter of a Markdown file, and the text after it."""
    opening = _OPENING.match(text)
    closing = _CLOSING.search(text, opening.end()) if opening else None
    if opening is None or closing is None:
        return Document({}, text)
    try:
        fields = yaml.load(text[opening.end() : closing.start()], Loader=_LOADER)  # noqa: S506
    except (yaml.YAMLError, ValueError, RecursionError):
        # Not YAML (or a date no calendar has): a text that starts with a rule.
        return Document({}, text)
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        return Document({}, text)
    return Document({str(key): value for key, value in fields.items()}, text[closing.end() :])


def first_heading(text: str) -> str | None:
    """The text of the first `# heading` (level one, outside fenced code), if any."""
    fenced: str | None = None
    for line in text.splitlines():
        fence = _FENCE.match(line)
        if fence:
            marker = fence.group(1)
            fenced = None if fenced == marker else (fenced or marker)
            continue
        if fenced is None and (heading := _HEADING.fullmatch(line)) and heading.group(1):
            return heading.group(1)
    return None


def as_text(value: object) -> str | None:
    """A scalar of the front matter as text (`title: 2024` is a title too)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return None


def as_timestamp(value: object) -> datetime | None:
    """A front matter date or time as UTC (one without an offset is taken as UTC), or
    None when it is no valid timestamp."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return None
