"""A zip archive from a client, read within limits, so that a zip bomb never expands.

Three limits, each enforced before the work it bounds:

- entries: counted by walking the central directory's records before `zipfile`
  parses it (that parse keeps an object per record in memory, and a 64 MiB body can
  hold a million records, whatever the end record says their number is);
- the declared sizes: their sum must stay within the expansion budget;
- the actual bytes: counted while decompressing, in chunks, against each file's
  own limit and what is left of the budget. `zipfile` already stops an entry at its
  declared size (and then fails its CRC check), so a header that lies low yields no
  more; the count is the guard that does not depend on that.
"""

import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

from teamnotes.kit.errors import ValidationFailed

MAX_ENTRIES = 10_000
_CHUNK = 64 * 1024
_CENTRAL_RECORD = struct.Struct("<4s42x")  # the fixed part: 46 bytes
_CENTRAL_SIGNATURE = b"PK\x01\x02"
# What zipfile itself raises for a damaged, encrypted or unsupported entry.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError)


class ArchiveRefused(ValidationFailed):
    """The body, or a file in it, cannot be imported (API.md §10): 422 on `body`."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="body")


class Archive:
    """The entries of a zip in a seekable file, read within `max_expanded` bytes."""

    def __init__(self, file: IO[bytes], *, max_expanded: int) -> None:
        _count_entries(file, MAX_ENTRIES)
        try:
            self._zip = zipfile.ZipFile(file)
        except _DAMAGED as error:
            raise ArchiveRefused("The body is not a zip archive") from error
        self.max_expanded = max_expanded
        self.expanded = 0
        if sum(info.file_size for info in self.entries()) > max_expanded:
            raise ArchiveRefused(
                f"The archive expands past {max_expanded} bytes, more than an import takes"
            )

    def entries(self) -> list[zipfile.ZipInfo]:
        return self._zip.infolist()

    def chunks(self, info: zipfile.ZipInfo, *, most: int) -> Iterator[bytes]:
        """The entry's bytes in chunks; refused past `most` bytes, or past what is left
        of the archive's budget, counted as they are decompressed."""
        allowed = min(most, self.max_expanded - self.expanded)
        read = 0
        try:
            with self._zip.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    read += len(chunk)
                    if read > allowed:
                        raise ArchiveRefused(
                            f"{info.filename}: expands past the {allowed} bytes "
                            "an import may take of it"
                        )
                    self.expanded += len(chunk)
                    yield chunk
        except _DAMAGED as error:
            raise ArchiveRefused(f"{info.filename}: damaged or unsupported ({error})") from error

    def read(self, info: zipfile.ZipInfo, *, most: int) -> bytes:
        return b"".join(self.chunks(info, most=most))


def _count_entries(file: IO[bytes], most: int) -> None:
    """Refuse an archive of more than `most` entries, reading no more than that many
    records of the central directory that zipfile would read."""
    try:
        end = zipfile._EndRecData(file)  # type: ignore[attr-defined]
    except OSError:
        end = None
    if not end:
        raise ArchiveRefused("The body is not a zip archive")
    # As zipfile.ZipFile finds its central directory (`_RealGetContents`).
    signature, size, location = end[0], end[5], end[9]
    start = location - size
    if signature == zipfile.stringEndArchive64:  # type: ignore[attr-defined]
        start -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator  # type: ignore[attr-defined]
    if start < 0:
        raise ArchiveRefused("The body is not a zip archive")
    file.seek(start)
    walked = counted = 0
    while walked < size:
        record = file.read(_CENTRAL_RECORD.size)
        if len(record) < _CENTRAL_RECORD.size or record[:4] != _CENTRAL_SIGNATURE:
            raise ArchiveRefused("The body is not a zip archive")
        name, extra, comment = struct.unpack_from("<3H", record, 28)
        file.seek(name + extra + comment, 1)
        walked += _CENTRAL_RECORD.size + name + extra + comment
        counted += 1
        if counted > most:
            raise ArchiveRefused(f"The archive holds more than {most} files")
