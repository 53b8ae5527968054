"""Hostile zips, built byte by byte (APPNOTE.TXT §4.3), since zipfile writes only honest ones."""

import functools
import struct
import zlib
from dataclasses import dataclass

GIB = 1 << 30
_MIB_OF_ZEROS = bytes(1 << 20)
_LOCAL = struct.Struct("<4s5H3I2H")
_CENTRAL = struct.Struct("<4s6H3I5H2I")
_END = struct.Struct("<4s4H2IH")
_DEFLATED = 8
_TIME, _DATE = 0, (2024 - 1980) << 9 | 1 << 5 | 1  # 2024-01-01 00:00


@dataclass(frozen=True)
class Entry:
    name: str
    data: bytes
    """The entry's bytes as stored (deflated)."""
    size: int
    """The uncompressed size the headers declare, true or not."""
    crc: int


@functools.cache
def deflated_zeros(mebibytes: int) -> bytes:
    """A raw deflate stream of that many MiB of zeros, about a thousandth of its size:
    one compressed MiB, repeated (a full flush makes each copy stand on its own)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(_MIB_OF_ZEROS) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * mebibytes + compressor.flush()


def text(name: str, content: str) -> Entry:
    raw = content.encode()
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Entry(name, compressor.compress(raw) + compressor.flush(), len(raw), zlib.crc32(raw))


def gigabyte(name: str, *, declared: int = GIB) -> Entry:
    """1 GiB of zeros in about 1 MB, whose headers say `declared` bytes. A small one
    comes with the CRC of that many zeros, so that a reader trusting it sees no fault."""
    crc = zlib.crc32(bytes(declared)) if declared <= len(_MIB_OF_ZEROS) else 0
    return Entry(name, deflated_zeros(1024), declared, crc)


def build(entries: list[Entry], *, declared_count: int | None = None) -> bytes:
    """The zip of these entries; its end record may name another number of them."""
    body, directory = bytearray(), bytearray()
    for entry in entries:
        name = entry.name.encode()
        fields = (_DEFLATED, _TIME, _DATE, entry.crc, len(entry.data), entry.size, len(name))
        directory += _CENTRAL.pack(b"PK\x01\x02", 20, 20, 0x800, *fields, 0, 0, 0, 0, 0, len(body))
        directory += name
        body += _LOCAL.pack(b"PK\x03\x04", 20, 0x800, *fields, 0) + name + entry.data
    count = len(entries) if declared_count is None else declared_count
    end = _END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), len(body), 0)
    return bytes(body + directory + end)
