"""Find and check a site's feed, for `eventwatch feeds add`.

Given a page or a feed URL: if the URL is a feed, that is the answer. Otherwise the page's
`<link rel="alternate">` elements name its feeds (RSS, Atom, RDF, JSON Feed); the first one
that our own fetcher and parser read is the answer. A page that names no feed is probed
at a few conventional paths (`/feed`, `/rss`, ...), as Miniflux does.

Everything goes through `Fetcher.get`, the path used for article pages: the same limits
(size, time, redirects) and, unless private addresses are allowed, the same guard
against server-side request forgery at every hop. The user types the first URL, but
the feed URLs come from the page and the redirects from the server; and the same code
is meant to serve a chat command later. So a private, loopback or link-local address is
refused unless the caller allows it (`eventwatch feeds add --allow-private`).
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import urljoin, urlsplit

from bot.feeds.fetch import ACCEPT, Fetcher
from bot.feeds.identity import canonical_url
from bot.feeds.parse import Parser
from bot.feeds.types import ParsedFeed
from bot.urls import is_http_url

FeedKind = Literal["rss", "atom", "rdf", "json"]

_TYPES: dict[str, FeedKind] = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/rdf+xml": "rdf",
    "application/feed+json": "json",
    "application/json": "json",  # JSON Feed's first media type; see _is_feed_link
}
# Tried, in this order, on the site of a page that names no feed.
CONVENTIONAL = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml",
                "/feed.json", "/feed/", "/rss/")
PAGE_ACCEPT = f"{ACCEPT.replace('*/*;q=0.5', '')}text/html;q=0.8, */*;q=0.5"
MAX_CANDIDATES = 10


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a page names."""

    url: str
    title: str
    kind: FeedKind


@dataclass(frozen=True, slots=True)
class Discovery:
    """What `discover` found. `feed` is None when no candidate was a usable feed; then
    `tried` says, for each URL, why not."""

    url: str  # as given
    feed_url: str | None = None  # the feed to configure (after permanent redirects)
    feed: ParsedFeed | None = None
    via: str | None = None  # how it was found: "the URL is a feed", "<link> on the page", ...
    links: tuple[FeedLink, ...] = ()  # every feed the page names
    tried: tuple[tuple[str, str], ...] = ()  # (url, why it is not the answer)


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"].strip()
        elif tag == "link":
            self.links.append(values)


def _is_feed_link(attrs: dict[str, str]) -> FeedKind | None:
    rels = attrs.get("rel", "").lower().split()
    kind = _TYPES.get(attrs.get("type", "").split(";", 1)[0].strip().lower())
    href = attrs.get("href", "").strip()
    if "alternate" not in rels or kind is None or not href:
        return None
    # WordPress announces its REST API as an application/json alternate: not a feed.
    if attrs.get("type", "").strip().lower().startswith("application/json") and (
            "/wp-json/" in href):
        return None
    return kind


def feed_links(html: str, page_url: str) -> tuple[FeedLink, ...]:
    """The feeds a page announces with `<link rel="alternate" type=...>`, in page order,
    resolved against the page (or its `<base href>`), each URL once, http(s) only."""
    parser = _LinkParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # a broken page still gives what was read before the break
        pass
    base = urljoin(page_url, parser.base) if parser.base else page_url
    out: list[FeedLink] = []
    seen: set[str] = set()
    for attrs in parser.links:
        kind = _is_feed_link(attrs)
        if kind is None:
            continue
        url = urljoin(base, attrs["href"].strip())
        if not is_http_url(url) or canonical_url(url) in seen:
            continue
        seen.add(canonical_url(url))
        out.append(FeedLink(url, attrs.get("title", "").strip() or url, kind))
    return tuple(out)


def _text(body: bytes, content_type: str | None) -> str:
    charset = "utf-8"
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    try:
        return body.decode(charset, "replace")
    except LookupError:
        return body.decode("utf-8", "replace")


class Discoverer:
    """Finds and checks feeds with the app's own fetcher and parser."""

    def __init__(self, fetcher: Fetcher, parser: Parser) -> None:
        self.fetcher = fetcher
        self.parser = parser

    async def _read(self, url: str) -> tuple[str, ParsedFeed | None, bytes | None, str | None,
                                             str | None]:
        """(final URL, parsed feed or None, body, content type, error)."""
        res = await self.fetcher.get(url, headers={"Accept": PAGE_ACCEPT})
        final = res.permanent_url or url
        if not res.ok or res.body is None:
            return final, None, None, None, str(res.error or f"HTTP {res.status}")
        parsed = await self.parser.parse(res.body, feed_id="discovery",
                                         url=res.effective_url or url,
                                         content_type=res.content_type)
        if parsed.error:
            return final, None, res.body, res.content_type, parsed.error
        return final, parsed, res.body, res.content_type, None

    async def discover(self, url: str, *, probe: bool = True) -> Discovery:
        """Never raises on a network or content problem: the Discovery says what failed."""
        tried: list[tuple[str, str]] = []
        final, parsed, body, content_type, error = await self._read(url)
        if parsed is not None:
            return Discovery(url, final, parsed, "the URL is a feed")
        if body is None:
            return Discovery(url, tried=((url, error or "no answer"),))
        tried.append((url, "a page, not a feed"))
        links = feed_links(_text(body, content_type), url)
        candidates = [(link.url, f'<link rel="alternate"> "{link.title}" on {url}')
                      for link in links]
        if not candidates and probe:
            parts = urlsplit(url)
            root = f"{parts.scheme}://{parts.netloc}"
            candidates = [(root + path, f"the conventional path {path} of {root}")
                          for path in CONVENTIONAL]
        for candidate, via in candidates[:MAX_CANDIDATES]:
            final, parsed, _, _, error = await self._read(candidate)
            if parsed is not None:
                return Discovery(url, final, parsed, via, links, tuple(tried))
            tried.append((candidate, error or "not a feed"))
        return Discovery(url, links=links, tried=tuple(tried))
