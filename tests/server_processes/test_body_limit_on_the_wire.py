"""The body-size limit on a real socket: refused while the body streams, or unread."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from tests.factories import User, make_user
from tests.servers import HOST, Server, Servers

pytestmark = pytest.mark.slow

LIMIT = 2000


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


async def _read_response(reader: asyncio.StreamReader) -> RawResponse:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in filter(None, header_lines):
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return RawResponse(int(status_line.split()[1]), headers, body)


@pytest.fixture(scope="module")
async def limited(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Server, User]]:
    """One server with a small body limit for every test of it: storage plays no part."""
    tmp_path = tmp_path_factory.mktemp("limited")
    servers = Servers(tmp_path)
    try:
        server = await servers.start(
            database_url=f"sqlite:///{tmp_path / 'limited.db'}",
            data_dir=tmp_path / "data",
            max_body_bytes=str(LIMIT),
        )
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            user = await make_user(http)
        yield server, user
    finally:
        servers.stop_all()


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError):  # the server may have hung up first
        await writer.wait_closed()


class TestBodyLimitOnTheWire:
    def _head(self, server: Server, user: User, *framing: str) -> bytes:
        lines = [
            "POST /notes HTTP/1.1",
            f"Host: {HOST}:{server.port}",
            f"Authorization: Bearer {user.token}",
            "Content-Type: application/json",
            *framing,
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def test_chunked_body_is_refused_at_the_limit_before_it_ends(
        self, limited: tuple[Server, User]
    ) -> None:
        server, user = limited
        reader, writer = await asyncio.open_connection(HOST, server.port)
        try:
            # 3000 bytes in 500-byte chunks, and never the last chunk: the answer
            # can only come from a server that counts while the body streams.
            body = b'{"title": "big", "content": "' + b"a" * 3000
            chunks = [body[start : start + 500] for start in range(0, 3000, 500)]
            # One write: a server that hangs up with bytes still unread resets the
            # connection, and the reset could overtake its answer.
            writer.write(
                self._head(server, user, "Transfer-Encoding: chunked")
                + b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)
            )
            await writer.drain()
            response = await asyncio.wait_for(_read_response(reader), timeout=5)
        finally:
            await _close(writer)
        assert response.status == 413, response.body
        assert b'"error_code": "payload_too_large"' in response.body

    async def test_declared_length_over_the_limit_is_refused_unread(
        self, limited: tuple[Server, User]
    ) -> None:
        server, user = limited
        reader, writer = await asyncio.open_connection(HOST, server.port)
        try:
            # The headers and the first bytes of a body that never comes (in one
            # write, for the reason above).
            head = self._head(server, user, f"Content-Length: {LIMIT * 50}")
            writer.write(head + b'{"title": ')
            await writer.drain()
            response = await asyncio.wait_for(_read_response(reader), timeout=5)
            # Then the server hangs up rather than wait for a body it will not read.
            try:
                rest = await asyncio.wait_for(reader.read(), timeout=5)
            except ConnectionResetError:
                rest = b""
        finally:
            await _close(writer)
        assert response.status == 413, response.body
        assert b'"error_code": "payload_too_large"' in response.body
        assert response.headers["connection"] == "close"
        assert rest == b""
