"""Reading Server-Sent Events in tests, in-process or over a socket.

httpx's own ASGITransport collects the whole body before it answers, which a stream
that never ends does not allow: `StreamingASGITransport` hands the body on as the
app sends it, and tells the app the client is gone when the response is closed.
"""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.types import ASGIApp, Message


class StreamingASGITransport(httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp, client: tuple[str, int] = ("127.0.0.1", 50000)) -> None:
        self.app = app
        self.client = client

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        started: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        chunks: asyncio.Queue[bytes | None] = asyncio.Queue()
        disconnected = asyncio.Event()
        delivered = False

        async def receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await disconnected.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.set_result(message)
            elif message["type"] == "http.response.body":
                if message.get("body"):
                    chunks.put_nowait(message["body"])
                if not message.get("more_body", False):
                    chunks.put_nowait(None)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "headers": [(name.lower(), value) for name, value in request.headers.raw],
            "scheme": request.url.scheme,
            "path": request.url.path,
            "raw_path": request.url.raw_path.split(b"?")[0],
            "query_string": request.url.query,
            "server": (request.url.host, request.url.port),
            "client": self.client,
            "root_path": "",
        }
        task = asyncio.create_task(self.app(scope, receive, send))
        task.add_done_callback(lambda _task: chunks.put_nowait(None))
        await asyncio.wait([started, task], return_when=asyncio.FIRST_COMPLETED)
        if not started.done():
            task.result()  # the app's exception, if it raised one
            raise RuntimeError("the app finished without answering")
        start = started.result()
        return httpx.Response(
            start["status"],
            headers=start.get("headers", []),
            stream=_Body(chunks, task, disconnected),
        )


@dataclass
class _Body(httpx.AsyncByteStream):
    chunks: "asyncio.Queue[bytes | None]"
    task: "asyncio.Task[None]"
    disconnected: asyncio.Event

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := await self.chunks.get()) is not None:
            yield chunk

    async def aclose(self) -> None:
        self.disconnected.set()
        await self.task  # the app hears of the disconnect and finishes


@dataclass
class Block:
    """One dispatched block of a stream: the lines up to a blank line."""

    fields: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.fields["id"]

    @property
    def change(self) -> dict[str, Any]:
        assert self.fields.get("event") == "change", self
        return json.loads(self.fields["data"])  # type: ignore[no-any-return]


class EventReader:
    """The blocks of an open stream, read in the background as they arrive."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.raw: list[str] = []
        self._blocks: asyncio.Queue[Block | None] = asyncio.Queue()
        self._pump = asyncio.create_task(self._read())

    async def _read(self) -> None:
        block = Block()
        try:
            async for line in self.response.aiter_lines():
                self.raw.append(line)
                if line == "":
                    self._blocks.put_nowait(block)
                    block = Block()
                elif line.startswith(":"):
                    block.comments.append(line[1:].strip())
                else:
                    name, _, value = line.partition(":")
                    block.fields[name] = value.removeprefix(" ")
        except httpx.HTTPError:
            pass  # the connection went: the stream ended
        finally:
            self._blocks.put_nowait(None)

    @property
    def following(self) -> bool:
        """Whether the stream is still open."""
        return not self._pump.done()

    async def next(self, within: float = 5.0) -> Block | None:
        """The next block; None once the stream has ended."""
        return await asyncio.wait_for(self._blocks.get(), within)

    async def change(self, within: float = 5.0) -> Block:
        """The next change event, past any comment or `retry` block."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            block = await self.next(max(deadline - loop.time(), 0.001))
            assert block is not None, f"the stream ended: {self.raw}"
            if "event" in block.fields:
                return block

    async def changes(self, count: int, within: float = 5.0) -> list[Block]:
        return [await self.change(within) for _ in range(count)]

    async def ended(self, within: float = 5.0) -> list[Block]:
        """Every block until the stream ends (fails when it outlasts `within`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        rest = []
        while (block := await self.next(max(deadline - loop.time(), 0.001))) is not None:
            rest.append(block)
        return rest

    async def quiet(self, seconds: float) -> list[Block]:
        """Whatever arrives within `seconds` (the stream stays open)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        seen = []
        with contextlib.suppress(TimeoutError):
            while (left := deadline - loop.time()) > 0:
                block = await self.next(left)
                assert block is not None, f"the stream ended: {self.raw}"
                seen.append(block)
        return seen

    async def close(self) -> None:
        await self.response.aclose()
        self._pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._pump


@contextlib.asynccontextmanager
async def open_events(
    http: httpx.AsyncClient, path: str, headers: dict[str, str], **params: str
) -> AsyncIterator[EventReader]:
    """An open stream of `path` (a 200, or the test fails with the answer)."""
    request = http.build_request("GET", path, headers=headers, params=params)
    response = await http.send(request, stream=True)
    try:
        if response.status_code != 200:
            await response.aread()
            raise AssertionError(f"{response.status_code}: {response.text}")
        reader = EventReader(response)
        try:
            yield reader
        finally:
            await reader.close()
    finally:
        await response.aclose()
