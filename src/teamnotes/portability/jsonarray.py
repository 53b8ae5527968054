"""The objects of a JSON array, read one at a time from a stream of bytes.

`tasks.json` may be as large as the expansion budget; `json.loads` would hold all
of it, and every object made from it, at once. This holds one object and the bytes
that are not parsed yet, and refuses an object longer than any valid task can be.
"""

import codecs
import json
from collections.abc import Iterator
from typing import Any


class NotAnArray(ValueError):
    """The text is not a JSON array of objects; the message says where."""


class _Text:
    """Decoded UTF-8 text, pulled from the chunks as the parser needs it."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._decoder = codecs.getincrementaldecoder("utf-8")()  # strict: not UTF-8 raises
        self.buffer = ""
        self.at = 0
        self.done = False

    def more(self) -> bool:
        """Read another chunk; False once there is none."""
        if self.done:
            return False
        chunk = next(self._chunks, None)
        if chunk is None:
            self.done = True
            self.buffer += self._decoder.decode(b"", final=True)
        else:
            self.buffer = self.buffer[self.at :] + self._decoder.decode(chunk)
            self.at = 0
        return True

    def next_char(self) -> str:
        """The next character that is not whitespace ("" at the end), not consumed."""
        while True:
            while self.at < len(self.buffer) and self.buffer[self.at] in " \t\r\n":
                self.at += 1
            if self.at < len(self.buffer):
                return self.buffer[self.at]
            if not self.more():
                return ""


def objects(chunks: Iterator[bytes], *, longest: int) -> Iterator[dict[str, Any]]:
    """Each object of the array, in order; NotAnArray (or UnicodeDecodeError) for a
    text that is no array of objects, or an object of more than `longest` characters."""
    text = _Text(chunks)
    decoder = json.JSONDecoder()
    if text.next_char() != "[":
        raise NotAnArray("expected a JSON array")
    text.at += 1
    if text.next_char() == "]":
        text.at += 1
    else:
        number = 0
        while True:
            number += 1
            if text.next_char() != "{":
                raise NotAnArray(f"item {number} is not an object")
            yield _one_object(text, decoder, number, longest)
            separator = text.next_char()
            text.at += 1
            if separator == "]":
                break
            if separator != ",":
                raise NotAnArray(f"expected ',' or ']' after item {number}")
    if text.next_char() != "":
        raise NotAnArray("text after the array")


def _one_object(text: _Text, decoder: json.JSONDecoder, number: int, longest: int) -> Any:
    while True:
        try:
            value, end = decoder.raw_decode(text.buffer, text.at)
        except json.JSONDecodeError as error:
            # Perhaps only cut off by the end of a chunk: read on, within the bound.
            if len(text.buffer) - text.at > longest:
                raise NotAnArray(f"item {number} is longer than any task can be") from error
            if not text.more():
                raise NotAnArray(f"item {number}: {error.msg}") from error
            continue
        if end - text.at > longest:
            raise NotAnArray(f"item {number} is longer than any task can be")
        text.at = end
        return value
