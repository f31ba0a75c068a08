"""Is a feed host on the public internet? A guard against server-side request forgery.

Feeds come only from config today. A command that lets someone add a feed at run time
must call `is_public_address` (or `is_public_host` in async code) and refuse a host
that resolves to a private, loopback, link-local or otherwise special address, unless
the settings explicitly allow them. Every address the name resolves to must be public:
one private answer is enough to refuse.

`is_public_address` is a check, not a pin: a hostile DNS server can answer differently
when the connection is made (DNS rebinding). The fetcher therefore connects through
`GuardedResolver`, which applies the same test to the very addresses it connects to.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Collection, Iterable
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Iterable[str]]
AddressPolicy = Callable[[str], bool]


class NonPublicAddress(OSError):
    """A name resolved to an address the policy refuses; nothing was connected."""


def is_public_ip(address: str | IPAddress) -> bool:
    """True for a globally routable unicast address; False for private, loopback,
    link-local, multicast, reserved, unspecified, CGNAT, documentation ranges, and
    IPv6 forms that embed such an IPv4 address."""
    try:
        ip = ipaddress.ip_address(str(address).split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d
            return is_public_ip(ip.ipv4_mapped)
        embedded = ip.sixtofour
        if embedded is None and ip.teredo is not None:
            embedded = ip.teredo[1]
        if embedded is not None and not is_public_ip(embedded):
            return False
    return bool(
        ip.is_global
        and not ip.is_private
        and not ip.is_loopback
        and not ip.is_link_local
        and not ip.is_multicast
        and not ip.is_reserved
        and not ip.is_unspecified
    )


def host_of(url_or_host: str) -> str:
    """The host part of a URL ("https://[::1]:8080/x" → "::1"), or the input itself."""
    if "://" in url_or_host:
        return urlsplit(url_or_host).hostname or ""
    return url_or_host.strip("[]")


def _system_resolve(host: str) -> list[str]:
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def is_public_address(host: str, resolve: Resolver | None = None) -> bool:
    """True when `host` (a name, an IP literal or a URL) resolves only to public
    addresses. A name that does not resolve is not public. Blocking: in async code
    use `is_public_host`."""
    host = host_of(host)
    if not host:
        return False
    try:
        return is_public_ip(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        pass  # a name: resolve it
    try:
        addresses = list((resolve or _system_resolve)(host))
    except (OSError, UnicodeError):
        return False
    return bool(addresses) and all(is_public_ip(a) for a in addresses)


async def is_public_host(host: str, resolve: Resolver | None = None) -> bool:
    """`is_public_address` without blocking the event loop."""
    return await asyncio.to_thread(is_public_address, host, resolve)


def address_policy(trusted: Iterable[str] = ()) -> AddressPolicy:
    """`is_public_ip`, plus the `trusted` networks (CIDR) counted as public."""
    networks = tuple(ipaddress.ip_network(n, strict=False) for n in trusted)
    if not networks:
        return is_public_ip

    def allowed(address: str) -> bool:
        if is_public_ip(address):
            return True
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return False
        return any(ip in net for net in networks)

    return allowed


class GuardedResolver(AbstractResolver):
    """aiohttp's name lookup with the address policy applied to its answers.

    The connector connects only to addresses this returned, so what was checked is what
    is used: a DNS answer that changes between a check and the connection cannot slip
    through. One refused address refuses the name. `exempt` names (a configured proxy)
    are resolved without the check."""

    def __init__(self, inner: AbstractResolver, allowed: AddressPolicy = is_public_ip,
                 exempt: Collection[str] = ()) -> None:
        self._inner = inner
        self._allowed = allowed
        self._exempt = frozenset(h.lower() for h in exempt)

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        if host.lower().rstrip(".") not in self._exempt:
            for answer in answers:
                if not self._allowed(answer["host"]):
                    raise NonPublicAddress(
                        f"non-public address refused: {host} resolves to {answer['host']}")
        return answers

    async def close(self) -> None:
        await self._inner.close()
