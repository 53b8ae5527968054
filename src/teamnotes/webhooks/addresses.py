"""Where a webhook may send (API.md §12): public addresses only, checked twice.

A URL is vetted when the webhook is made and again before every attempt, because
what a name resolves to can change in between (DNS rebinding). Names are resolved
by `resolve`, one function of this module (tests put their own in its place), and
the request then goes to the very address that was vetted, never to a second
resolution of the name.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from teamnotes.kit.errors import ValidationFailed

if TYPE_CHECKING:
    import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
RESOLVE_TIMEOUT = 5.0
_DEFAULT_PORTS = {"http": 80, "https": 443}


class AddressRefused(ValidationFailed):
    """A URL that may not be called; at creation, a 422 on `url`."""

    detail = "must be an http(s) URL of a public address"
    field_error_code = "address_refused"


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses the system's resolver gives for a host (an IP is itself)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


resolve: Resolver = system_resolve


def is_public(address: IPAddress) -> bool:
    """Neither loopback, private, link-local, multicast, unspecified nor reserved."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # `is_global` is false for every special-purpose range (IANA's registries) but
    # counts multicast as global.
    return address.is_global and not address.is_multicast


@dataclass(frozen=True, slots=True)
class Target:
    """A vetted URL: the same request, addressed to the IP that was checked."""

    url: "httpx.URL"
    """With the vetted IP in place of the name."""
    host_header: str
    server_name: str
    """For TLS: the certificate is checked against the name, not the IP."""


def parse(url: str) -> "httpx.URL":
    """The URL if it is absolute http(s) with a host and no credentials."""
    import httpx  # only where webhooks are used: a few MB per process (see Sender)

    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise AddressRefused("is not a valid URL", field="url") from error
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.host:
        raise AddressRefused("must be an absolute http:// or https:// URL", field="url")
    if parsed.userinfo:
        raise AddressRefused("may not carry a user name or password", field="url")
    return parsed


async def vet(url: str, *, allow_private: bool) -> Target:
    """Resolve the URL's host and check every address it gives; AddressRefused if
    one is not public (unless private ones are allowed) or none comes back."""
    parsed = parse(url)
    port = parsed.port or _DEFAULT_PORTS[parsed.scheme]
    host = parsed.raw_host.decode("ascii")  # IDNA-encoded, as DNS and TLS know it
    try:
        found = await asyncio.wait_for(resolve(host, port), RESOLVE_TIMEOUT)
        addresses = [ipaddress.ip_address(text.split("%", 1)[0]) for text in found]
    except (OSError, TimeoutError, ValueError) as error:
        raise AddressRefused("has a host that does not resolve", field="url") from error
    if not addresses:
        raise AddressRefused("has a host that does not resolve", field="url")
    if not allow_private and not all(is_public(address) for address in addresses):
        raise AddressRefused(
            "resolves to a loopback, private, link-local, multicast or unspecified address",
            field="url",
        )
    netloc = parsed.netloc.decode("ascii")
    return Target(
        url=parsed.copy_with(host=str(addresses[0])),
        host_header=netloc,
        server_name=host,
    )
