"""File names made from titles, safe on every operating system an export is unpacked on.

Windows forbids `<>:"/\\|?*`, control characters, names ending in a dot or a space,
and the device names (`CON`, `NUL`, `COM1`…) with any extension; macOS and Windows
compare names without regard to case (and macOS to Unicode normalisation); most
file systems cap a name at 255 bytes. A title keeps everything else, so names stay
readable in any language.
"""

import re
import unicodedata

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"{device}{number}" for device in ("COM", "LPT") for number in "123456789"]
)
# Room for " (12345)" and ".md" within 255 bytes, with a margin for unpacking tools.
_MAX_STEM_BYTES = 200


def safe_stem(title: str) -> str:
    """A file name without extension for `title`, valid on Windows, macOS and Linux."""
    stem = " ".join(title.split())  # no tabs, newlines or runs of blanks
    stem = unicodedata.normalize("NFC", _FORBIDDEN.sub("_", stem))
    while len(stem.encode()) > _MAX_STEM_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(". ")
    if not stem:
        return "Untitled"
    if stem.split(".", 1)[0].upper() in _RESERVED:
        return f"_{stem}"
    return stem


class UniqueNames:
    """Hands out file names in a folder, each one different from the others even where
    case and Unicode normalisation do not count."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, stem: str, extension: str) -> str:
        number = 1
        name = f"{stem}{extension}"
        while _folded(name) in self._taken:
            number += 1
            name = f"{stem} ({number}){extension}"
        self._taken.add(_folded(name))
        return name


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name.casefold())
