"""HTTP for feeds and article pages: one shared aiohttp session, polite and bounded.

Limits that protect us from a bad server: global and per-host concurrency, connect
and total timeouts, a cap on the bytes read off the wire *and* on the bytes after
decompression (a gzip bomb stops at the cap), and at most N redirects. Redirects are
followed by hand so that a permanent one (301/308 all the way) can update the feed's
effective URL.

Local files are a privilege of the config, never of feed content: only `fetch(...,
local=True)` — the poller, for a feed whose configured URL is a path — reads a file
(its validator is the file's mtime and size, presented as an ETag). `get`, for article
pages whose URLs come from feed entries, takes only http(s), and refuses a host that
resolves to a private, loopback or link-local address, at every redirect hop, unless
`poll.allow_private_pages` is on. Pages go through their own connector whose resolver
applies the check to the addresses it connects to (`bot.feeds.guard.GuardedResolver`), so
a DNS answer that changes after a check (rebinding) cannot reach an internal address.

`Fetcher.fetch` never raises on a transport or HTTP problem: the result says what
went wrong, because in batch work errors are values.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import logging
import os
import re
import urllib.request
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from bot import __version__
from bot.config.settings import PollSettings
from bot.errors import FeedError, FeedErrorKind
from bot.feeds.guard import GuardedResolver, NonPublicAddress, address_policy, is_public_host
from bot.urls import is_http_url

log = logging.getLogger(__name__)

USER_AGENT = f"eventwatch/{__version__} (+https://github.com/eventwatch/eventwatch)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.9, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_CHUNK = 64 * 1024
# Decompressing a large body in the loop would stall it; past this size use a thread.
_INLINE_DECOMPRESS = 64 * 1024
_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one GET produced. `status` is 0 when no HTTP response came back."""

    url: str  # as requested
    status: int
    body: bytes | None = None  # decoded (decompressed) body of a 200
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    max_age: float | None = None  # Cache-Control max-age, seconds
    retry_after: float | None = None  # seconds
    effective_url: str | None = None  # where the body came from, after redirects
    permanent_url: str | None = None  # set when every redirect on the way was permanent
    error: FeedError | None = None
    wire_bytes: int = 0  # bytes received off the wire (before decompression)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200 and self.body is not None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _TooLarge(Exception):
    pass


def http_error(status: int) -> FeedError:
    return FeedError(FeedErrorKind.HTTP, f"HTTP {status}", http_status=status)


def _network(message: str) -> FeedError:
    return FeedError(FeedErrorKind.NETWORK, message)


def _redirect(message: str) -> FeedError:
    return FeedError(FeedErrorKind.REDIRECT, message)


_REFUSED_SCHEME = _network("not an http(s) URL: refused")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def parse_max_age(value: str | None) -> float | None:
    if not value:
        return None
    if "no-store" in value.lower():
        return None
    m = _MAX_AGE.search(value)
    return float(m.group(1)) if m else None


def is_local(url: str) -> bool:
    return not is_http_url(url)


def local_path(url: str) -> Path:
    if url.startswith("file://"):
        return Path(unquote(urlsplit(url).path))
    return Path(url)


def decompress(data: bytes, encoding: str, limit: int) -> bytes:
    """Inflate gzip/deflate, refusing to produce more than `limit` bytes."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return data
    if encoding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif encoding == "deflate":
        # RFC says zlib-wrapped; some servers send raw deflate. Sniff the header.
        wbits = zlib.MAX_WBITS if data[:1] == b"\x78" else -zlib.MAX_WBITS
    else:
        raise ValueError(f"unsupported content-encoding {encoding!r}")
    d = zlib.decompressobj(wbits)
    try:
        out = d.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ValueError(f"bad {encoding} body: {exc}") from exc
    if len(out) > limit or d.unconsumed_tail:
        raise _TooLarge(f"decompressed body exceeds {limit} bytes")
    return out


class Fetcher:
    """Owns the aiohttp session. Use as `async with Fetcher(settings) as f: ...`."""

    def __init__(
        self,
        settings: PollSettings | None = None,
        *,
        user_agent: str = USER_AGENT,
        trust_env: bool = True,
        resolver: AbstractResolver | None = None,
        trusted_networks: Iterable[str] = (),
    ) -> None:
        """`resolver` looks up article-page hosts (default: aiohttp's); addresses in
        `trusted_networks` (CIDR) count as public for article pages."""
        self.settings = settings or PollSettings()
        self._resolver = resolver
        self._allowed = address_policy(trusted_networks)
        self.user_agent = user_agent
        self._trust_env = trust_env
        # With a proxy the proxy resolves page hosts: only a pre-connect check is possible.
        self._proxies = urllib.request.getproxies() if trust_env else {}
        self._session: aiohttp.ClientSession | None = None
        self._pages: aiohttp.ClientSession | None = None
        self._global = asyncio.Semaphore(self.settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def open(self) -> None:
        if self._session is not None:
            return
        self._session = self._new_session(None)
        if self.settings.allow_private_pages:
            self._pages = self._session
        else:
            proxy_hosts = {URL(p).host or "" for p in self._proxies.values() if "://" in p}
            self._pages = self._new_session(GuardedResolver(
                self._resolver or aiohttp.DefaultResolver(), self._allowed, proxy_hosts))

    def _new_session(self, resolver: AbstractResolver | None) -> aiohttp.ClientSession:
        s = self.settings
        connector = aiohttp.TCPConnector(
            limit=s.concurrency, limit_per_host=s.per_host, ttl_dns_cache=300,
            resolver=resolver,
        )
        return aiohttp.ClientSession(
            connector=connector,
            # We inflate ourselves so that the decompressed size can be bounded.
            auto_decompress=False,
            trust_env=self._trust_env,
            headers={
                "User-Agent": self.user_agent,
                "Accept-Encoding": "gzip, deflate",
            },
            timeout=aiohttp.ClientTimeout(total=s.timeout, sock_connect=s.connect_timeout),
        )

    async def close(self) -> None:
        sessions = {self._session, self._pages} - {None}
        self._session = self._pages = None
        for session in sessions:
            assert session is not None
            await session.close()

    # -- public ---------------------------------------------------------
    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = ACCEPT,
        local: bool = False,
    ) -> FetchResult:
        """Conditional GET of a configured feed. Never raises (except on cancellation).

        `local=True` lets a file path or file:// URL be read: only for a feed whose
        configured URL is local (`FeedSpec.is_local`), never for a URL from feed content.
        """
        if is_local(url):
            if not local:
                return FetchResult(url, 0, error=_REFUSED_SCHEME)
            return await asyncio.to_thread(self._read_local, url, etag)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._get(url, headers)

    async def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> FetchResult:
        """A plain GET under the same limits, for article pages (full text).

        The URL comes from feed content, so only http(s) is fetched, and, unless
        `allow_private_pages` is set, only from public addresses at every hop."""
        if is_local(url):
            return FetchResult(url, 0, error=_REFUSED_SCHEME)
        return await self._get(url, dict(headers or {"Accept": "text/html,*/*;q=0.8"}),
                               public_only=not self.settings.allow_private_pages)

    # -- internals ------------------------------------------------------
    def _host_slot(self, url: URL) -> asyncio.Semaphore:
        host = (url.host or "").lower()
        sem = self._hosts.get(host)
        if sem is None:
            if len(self._hosts) >= 4096:
                # Article pages bring ever new hosts: forget the idle ones.
                self._hosts = {h: s for h, s in self._hosts.items() if s.locked()
                               or s._value < self.settings.per_host}
            sem = self._hosts[host] = asyncio.Semaphore(self.settings.per_host)
        return sem

    async def _get(
        self, url: str, headers: dict[str, str], *, public_only: bool = False
    ) -> FetchResult:
        if self._session is None:
            await self.open()
        try:
            current = URL(url)
        except ValueError as exc:
            return FetchResult(url, 0, error=_network(f"bad url: {exc}"))
        permanent = True
        hops = 0
        wire = 0
        while True:
            if public_only and not await self._may_connect(current):
                return self._refused(url, current, wire)
            try:
                # Host slot first: a busy host must not hold global slots while it queues.
                async with self._host_slot(current), self._global:
                    result = await self._one(url, current, headers, pages=public_only)
            except asyncio.CancelledError:
                raise
            except _TooLarge as exc:
                return FetchResult(url, 0, error=FeedError(FeedErrorKind.TOO_LARGE, str(exc)),
                                   effective_url=str(current), wire_bytes=wire)
            except TimeoutError:
                return FetchResult(url, 0, error=FeedError(FeedErrorKind.TIMEOUT, "timeout"),
                                   effective_url=str(current), wire_bytes=wire)
            except aiohttp.ClientError as exc:
                if (isinstance(exc, aiohttp.ClientConnectorError)
                        and isinstance(exc.os_error, NonPublicAddress)):
                    return self._refused(url, current, wire)
                msg = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
                return FetchResult(url, 0, error=_network(msg), effective_url=str(current),
                                   wire_bytes=wire)
            except Exception as exc:  # one bad response must not break the poll loop
                log.warning("fetch failed unexpectedly", exc_info=True, extra={"url": url})
                return FetchResult(url, 0, error=_network(f"{type(exc).__name__}: {exc}"),
                                   effective_url=str(current))
            status, location, res = result
            wire += res.wire_bytes
            if status not in _REDIRECTS or location is None:
                break
            hops += 1
            if hops > self.settings.max_redirects:
                return FetchResult(url, status,
                                   error=_redirect(f"too many redirects (>{hops - 1})"),
                                   effective_url=str(current), wire_bytes=wire)
            permanent = permanent and status in _PERMANENT
            try:
                nxt = current.join(URL(location))
            except ValueError:
                return FetchResult(url, status,
                                   error=_redirect(f"bad redirect location {location!r}"),
                                   effective_url=str(current), wire_bytes=wire)
            if nxt.scheme not in ("http", "https"):
                return FetchResult(url, status,
                                   error=_redirect(f"redirect to {nxt.scheme}: refused"),
                                   effective_url=str(current), wire_bytes=wire)
            current = nxt
        moved = hops > 0 and permanent
        if moved:
            log.info("permanent redirect", extra={"url": url, "location": str(current)})
        return FetchResult(
            url=url,
            status=res.status,
            body=res.body,
            etag=res.etag,
            last_modified=res.last_modified,
            content_type=res.content_type,
            max_age=res.max_age,
            retry_after=res.retry_after,
            effective_url=str(current),
            permanent_url=str(current) if moved else None,
            error=res.error,
            wire_bytes=wire,
        )

    async def _may_connect(self, url: URL) -> bool:
        """Before connecting to an article page: an IP literal is checked here (no lookup
        happens later); a name is checked by the pages' resolver at connect time, or here
        when a proxy will do the lookup instead."""
        host = url.host or ""
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            proxied = bool(self._proxies) and not urllib.request.proxy_bypass(host)
            return await is_public_host(host) if proxied else bool(host)
        return self._allowed(host)

    def _refused(self, url: str, current: URL, wire: int) -> FetchResult:
        log.warning("non-public address refused", extra={"url": url, "location": str(current)})
        return FetchResult(url, 0,
                           error=_network(f"non-public address refused: {current.host}"),
                           effective_url=str(current), wire_bytes=wire)

    async def _one(
        self, url: str, current: URL, headers: dict[str, str], *, pages: bool = False
    ) -> tuple[int, str | None, FetchResult]:
        session = self._pages if pages else self._session
        assert session is not None
        limit = self.settings.max_body
        async with session.get(
            current, headers=headers, allow_redirects=False
        ) as resp:
            h = resp.headers
            status = resp.status
            head = FetchResult(
                url,
                status,
                etag=h.get("ETag"),
                last_modified=h.get("Last-Modified"),
                content_type=h.get("Content-Type"),
                max_age=parse_max_age(h.get("Cache-Control")),
                retry_after=parse_retry_after(h.get("Retry-After")),
            )
            if status in _REDIRECTS:
                return status, h.get("Location"), head
            if status == 304:
                return status, None, head
            if status != 200:
                # Don't read error pages; the status says enough.
                return status, None, replace(head, error=http_error(status))
            declared = resp.content_length
            if declared is not None and declared > limit:
                raise _TooLarge(f"body of {declared} bytes exceeds {limit}")
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.content.iter_chunked(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _TooLarge(f"body exceeds {limit} bytes")
                chunks.append(chunk)
            raw = b"".join(chunks)
            encoding = h.get("Content-Encoding", "")
            try:
                if encoding and len(raw) > _INLINE_DECOMPRESS:
                    body = await asyncio.to_thread(decompress, raw, encoding, limit)
                else:
                    body = decompress(raw, encoding, limit)
            except ValueError as exc:
                return status, None, replace(head, status=0, error=_network(str(exc)),
                                            wire_bytes=size)
            return status, None, replace(head, body=body, wire_bytes=size)

    def _read_local(self, url: str, etag: str | None) -> FetchResult:
        path = local_path(url)
        try:
            st = path.stat()
            validator = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
            if etag and etag == validator:
                return FetchResult(url, 304, etag=validator, effective_url=url)
            if st.st_size > self.settings.max_body:
                return FetchResult(url, 0, error=FeedError(
                    FeedErrorKind.TOO_LARGE, f"file exceeds {self.settings.max_body} bytes"),
                                   effective_url=url)
            with open(path, "rb") as fh:
                body = fh.read(self.settings.max_body + 1)
        except FileNotFoundError:
            return FetchResult(url, 404, error=FeedError(FeedErrorKind.HTTP, "file not found",
                                                          http_status=404), effective_url=url)
        except OSError as exc:
            return FetchResult(url, 0, error=_network(f"{type(exc).__name__}: {exc}"),
                               effective_url=url)
        return FetchResult(url, 200, body=body, etag=validator, effective_url=url,
                           wire_bytes=len(body), content_type=_guess_type(path))


def _guess_type(path: Path) -> str | None:
    ext = os.path.splitext(path.name)[1].lower()
    return {".xml": "application/xml", ".rss": "application/rss+xml",
            ".atom": "application/atom+xml", ".html": "text/html",
            ".json": "application/feed+json"}.get(ext)
