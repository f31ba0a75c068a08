"""Is a feed host on the public internet? A guard against server-side request forgery.

Feeds come only from config today. A command that lets someone add a feed at run time
must call `is_public_address` (or `is_public_host` in async code) and refuse a host
that resolves to a private, loopback, link-local or otherwise special address, unless
the settings explicitly allow them. Every address the name resolves to must be public:
one private answer is enough to refuse.

Resolution here is a check, not a pin: a hostile DNS server can answer differently when
the fetcher connects (DNS rebinding). A fetcher that must be strict should connect
through a resolver that applies `is_public_ip` to the address it actually uses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Iterable[str]]


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
