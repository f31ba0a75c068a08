"""Feed bytes → normalised `Entry`s, with feedparser running off the event loop.

feedparser costs ~20 ms of pure-Python CPU for a 30-entry feed. In a thread it holds
the GIL and stalls the event loop; a process pool keeps the loop responsive and uses
both cores (bench/poll.py measures both: processes win on wall time and leave the
loop free). Each worker does the whole job, identity and content hash included, and
sends back small frozen values.

We switch off feedparser's HTML sanitiser and relative-URI rewriting inside markup,
and give it no base URI: we turn markup into plain text ourselves, so that work would
be thrown away (together they cost about 40% of feedparser's time). Relative entry
links are resolved here, against the feed's URL.
"""

from __future__ import annotations

import asyncio
import calendar
import concurrent.futures
import html
import logging
import multiprocessing
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urljoin

import feedparser

from bot.feeds.identity import content_hash, entry_key
from bot.types import Entry
from bot.urls import is_http_url

log = logging.getLogger(__name__)

Mode = Literal["process", "thread", "inline"]

_BLOCK_END = re.compile(
    r"<(?:br|hr)\b[^>]*>|</(?:p|div|li|h[1-6]|tr|blockquote|pre|section|article|ul|ol|table)>",
    re.IGNORECASE,
)
_INVISIBLE = re.compile(
    r"<(script|style|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"</?[a-zA-Z!?/][^>]*>?")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_PERIODS = {"hourly": 3600.0, "daily": 86400.0, "weekly": 7 * 86400.0,
            "monthly": 30 * 86400.0, "yearly": 365 * 86400.0}


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """One parsed body. `error` is set when it yielded nothing usable."""

    entries: tuple[Entry, ...] = ()
    title: str = ""
    version: str = ""  # feedparser's: rss20, atom10, rss10, ...
    problem: str | None = None  # bozo message when entries were still usable
    error: str | None = None  # not a feed, or malformed with no entries
    ttl: float | None = None  # seconds, from RSS <ttl>
    update_period: float | None = None  # seconds, from sy:updatePeriod/updateFrequency
    duplicates: int = 0  # entries dropped because their key repeated


def html_to_text(value: str | None) -> str:
    """Markup → clean text: tags dropped, entities decoded, one line per block.

    Regexes rather than an HTML parser: feed summaries are small fragments, and this
    runs for every entry of every changed feed (lxml cost ~2.5 ms per 30-entry feed,
    this ~0.3 ms).
    """
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return _tidy(value)
    text = _INVISIBLE.sub(" ", value)
    text = _BLOCK_END.sub("\n", text)
    text = _TAG.sub("", text)
    return _tidy(html.unescape(text))


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _seconds(value: Any, unit: float) -> float | None:
    try:
        n = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n * unit if n > 0 else None


def _update_period(feed: Mapping[str, Any]) -> float | None:
    period = feed.get("sy_updateperiod")
    if not period:
        return None
    seconds = _PERIODS.get(str(period).strip().lower())
    if seconds is None:
        return None
    try:
        freq = max(1, int(str(feed.get("sy_updatefrequency") or "1").strip()))
    except ValueError:
        freq = 1
    return seconds / freq


def _text_of(e: Mapping[str, Any]) -> str:
    summary = e.get("summary") or ""
    for c in e.get("content") or ():
        value = c.get("value") or ""
        if len(value) > len(summary):
            summary = value
    return html_to_text(summary)


def parse_feed(
    body: bytes,
    *,
    feed_id: str,
    url: str,
    source: str = "",
    language: str | None = None,
    content_type: str | None = None,
) -> ParsedFeed:
    """Parse one body. Pure and picklable: it runs in a worker. Never raises."""
    try:
        return _parse(body, feed_id=feed_id, url=url, source=source, language=language,
                      content_type=content_type)
    except Exception as exc:  # feedparser on hostile input: record, never crash the poll
        return ParsedFeed(error=f"parser crashed: {type(exc).__name__}: {exc}")


def _parse(
    body: bytes,
    *,
    feed_id: str,
    url: str,
    source: str,
    language: str | None,
    content_type: str | None,
) -> ParsedFeed:
    headers: dict[str, str] = {}
    if content_type:
        headers["content-type"] = content_type
    d = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    feed = d.get("feed", {})
    bozo = d.get("bozo_exception")
    # Servers often label feeds text/html or text/plain; that alone is no problem.
    benign = isinstance(bozo, feedparser.NonXMLContentType)
    problem = f"{type(bozo).__name__}: {bozo}" if d.get("bozo") and bozo and not benign else None
    if not d.entries:
        if not d.get("version"):
            kind = "an HTML page" if b"<html" in body[:4096].lower() else "unrecognised content"
            return ParsedFeed(error=f"not a feed: {kind}" + (f" ({problem})" if problem else ""))
        if problem and not feed.get("title"):
            return ParsedFeed(version=d.version, error=f"malformed feed: {problem}")
    declared = feed.get("language") or feed.get("title_detail", {}).get("language") or ""
    lang = language or (str(declared)[:2].lower() or None)
    # Relative entry links resolve against the feed's URL (feedparser's base).
    base = url
    seen: set[str] = set()
    entries: list[Entry] = []
    dupes = 0
    for e in d.entries:
        title = html_to_text(e.get("title"))
        link = e.get("link") or None
        if link and "://" not in link:
            link = urljoin(base, link)
        text = _text_of(e)
        published = _when(e.get("published_parsed") or e.get("updated_parsed"))
        key = entry_key(e.get("id"), link, title, published)  # identity: the link as given
        # Feed content must not point us (full text) or readers (alerts) at file:,
        # javascript: or other schemes: an entry keeps only an http(s) link.
        link = link if is_http_url(link) else None
        if key in seen:
            dupes += 1
            continue
        seen.add(key)
        if not title and not text and not link:
            continue
        entries.append(Entry(
            feed_id=feed_id,
            key=key,
            url=link,
            title=title,
            text=text,
            published=published,
            language=lang,
            content_hash=content_hash(title, text),
            source=source,
        ))
    return ParsedFeed(
        entries=tuple(entries),
        title=html_to_text(feed.get("title")),
        version=d.get("version") or "",
        problem=problem,
        ttl=_seconds(feed.get("ttl"), 60.0),
        update_period=_update_period(feed),
        duplicates=dupes,
    )


def _warm() -> None:
    # Import cost paid once per worker, not on the first feed.
    feedparser.parse(b"<rss version='2.0'><channel><title>x</title></channel></rss>")


_coalescing = False


def _coalesce_character_data() -> None:
    """Have expat hand each run of text to feedparser in one callback, not one per
    entity: escaped HTML in a summary otherwise costs a Python call per `&lt;`.
    SAX allows any chunking, so the output is identical (tests/test_parser.py checks
    it); parsing gets ~15% cheaper. Only done inside our worker processes."""
    global _coalescing
    if _coalescing:
        return
    import xml.sax.expatreader as expatreader

    original = expatreader.ExpatParser.reset

    def reset(self: Any) -> None:
        original(self)
        self._parser.buffer_text = True
        self._parser.buffer_size = 1 << 16

    expatreader.ExpatParser.reset = reset  # type: ignore[method-assign]
    _coalescing = True


def _worker_init() -> None:
    _coalesce_character_data()
    _warm()


class Parser:
    """Runs `parse_feed` off the event loop: a process pool (default) or threads."""

    def __init__(self, mode: Mode = "process", workers: int | None = None) -> None:
        self.mode = mode
        self.workers = workers or max(1, min(4, multiprocessing.cpu_count()))
        self._pool: concurrent.futures.Executor | None = None

    def __enter__(self) -> Parser:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Parser:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.close)

    def _executor(self) -> concurrent.futures.Executor | None:
        if self.mode == "inline":
            return None
        if self._pool is None:
            if self.mode == "process":
                # spawn: forking a process that runs an event loop and threads is unsafe.
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_init,
                )
            else:
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    self.workers, thread_name_prefix="ew-parse"
                )
        return self._pool

    def start(self) -> None:
        """Start the workers now rather than on the first feed."""
        pool = self._executor()
        if pool is not None:
            pool.submit(_warm).result()

    async def parse(
        self,
        body: bytes,
        *,
        feed_id: str,
        url: str,
        source: str = "",
        language: str | None = None,
        content_type: str | None = None,
    ) -> ParsedFeed:
        def call() -> ParsedFeed:
            return parse_feed(body, feed_id=feed_id, url=url, source=source,
                              language=language, content_type=content_type)

        if self.mode == "inline":
            return call()
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            pool = self._executor()
            try:
                if self.mode == "process":
                    return await loop.run_in_executor(
                        pool, _parse_kw, body, feed_id, url, source, language, content_type
                    )
                return await loop.run_in_executor(pool, call)
            except concurrent.futures.process.BrokenProcessPool:
                # A worker died (OOM, signal). Replace the pool once and retry.
                log.warning("parser pool broken, restarting", extra={"feed": feed_id})
                self._discard()
                if attempt == 2:
                    return ParsedFeed(error="parser worker died")
        raise AssertionError("unreachable")

    def _discard(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _parse_kw(
    body: bytes,
    feed_id: str,
    url: str,
    source: str,
    language: str | None,
    content_type: str | None,
) -> ParsedFeed:
    return parse_feed(body, feed_id=feed_id, url=url, source=source, language=language,
                      content_type=content_type)
