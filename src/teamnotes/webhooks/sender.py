"""One attempt to deliver an event: vet the address, sign, POST, note what came back.

Redirects are not followed (a 3xx is a failure: it could point anywhere, a private
address included), the whole attempt is bounded by the timeout however slowly the
receiver trickles its answer, whose body is never read, and the connection pool is
bounded. Connections are not kept alive: each went to an address vetted for one
name, and must not carry another name's request.
"""

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from teamnotes import __version__
from teamnotes.webhooks import addresses, signing

if TYPE_CHECKING:
    import httpx

_ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Sender:
    def __init__(self, *, timeout: float, connections: int, allow_private: bool) -> None:
        self.timeout = timeout
        self.connections = connections
        self.allow_private = allow_private
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> "httpx.AsyncClient":
        """Made at the first delivery: httpx and its pool (about 6 MB of a process)
        stay out of a deployment that has no webhooks."""
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                timeout=self.timeout,
                follow_redirects=False,
                trust_env=False,  # no proxy from the environment: it would call for us
                limits=httpx.Limits(max_connections=self.connections, max_keepalive_connections=0),
            )
        return self._client

    async def send(self, *, url: str, secret: str, event_id: str, body: str) -> Outcome:
        """POST the event to the webhook's URL, signed; never raises."""
        import httpx

        started = time.monotonic()
        status_code, error = None, None
        try:
            async with asyncio.timeout(self.timeout):
                target = await addresses.vet(url, allow_private=self.allow_private)
                status_code = await self._post(target, secret, event_id, body.encode())
        except addresses.AddressRefused as refused:
            error = f"not called: the URL {refused.detail}"
        except TimeoutError:
            error = f"timed out after {self.timeout:g} s"
        except httpx.HTTPError as failed:
            error = f"{type(failed).__name__}: {failed}" if str(failed) else type(failed).__name__
        if status_code is not None and not 200 <= status_code < 300:
            error = f"answered {status_code}" + (
                " (redirects are not followed)" if 300 <= status_code < 400 else ""
            )
        duration_ms = round((time.monotonic() - started) * 1000)
        return Outcome(status_code, error[:_ERROR_LENGTH] if error else None, duration_ms)

    async def _post(self, target: addresses.Target, secret: str, event_id: str, body: bytes) -> int:
        headers = {
            "Host": target.host_header,
            "Content-Type": "application/json",
            "User-Agent": f"TeamNotes-Webhooks/{__version__}",
            **signing.headers(secret, event_id, int(time.time()), body),
        }
        request = self.client.build_request(
            "POST",
            target.url,
            content=body,
            headers=headers,
            extensions={"sni_hostname": target.server_name},
        )
        response = await self.client.send(request, stream=True)
        await response.aclose()  # the answer's body is of no interest
        return response.status_code

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
