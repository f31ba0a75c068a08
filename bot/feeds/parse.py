"""Feed bytes → normalised `Entry`s, with the parsing running off the event loop.

A body is read by `bot.feeds.jsonfeed` when it is a JSON object (or labelled JSON),
else by feedparser (`bot.feeds.xmlfeed`). Both give a `Document`, and one code path
below turns it into entries: the same identity (guid, else canonical link, else title
and date; repeats told apart by guid plus link, then position), the same text handling
(markup turned into text only where the feed says it is HTML or XHTML), dates,
language and content hash for every format.

feedparser costs ~20 ms of pure-Python CPU for a 30-entry feed. In a thread it holds
the GIL and stalls the event loop; a process pool keeps the loop responsive and uses
both cores (bench/poll.py measures both: processes win on wall time and leave the
loop free). Each worker does the whole job, identity and content hash included, and
sends back small frozen values.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
from dataclasses import replace
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urljoin

from bot.feeds.identity import (
    canonical_url,
    content_hash,
    entry_key,
    link_tag,
    linked_key,
    position_key,
)
from bot.feeds.jsonfeed import looks_like_json, read_json
from bot.feeds.text import clean, html_to_text
from bot.feeds.types import Document, GuidLink, Item, ParsedFeed
from bot.feeds.xmlfeed import read_xml, warm
from bot.types import Entry
from bot.urls import is_http_url

log = logging.getLogger(__name__)

Mode = Literal["process", "thread", "inline"]

__all__ = ["Mode", "ParsedFeed", "Parser", "html_to_text", "parse_feed"]


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
        doc = read_json(body) if looks_like_json(body, content_type) else read_xml(
            body, content_type)
        if doc.error:
            return ParsedFeed(version=doc.version, error=doc.error)
        return build(doc, feed_id=feed_id, url=url, source=source, language=language)
    except Exception as exc:  # a reader on hostile input: record, never crash the poll
        return ParsedFeed(error=f"parser crashed: {type(exc).__name__}: {exc}")


def _two_letters(value: str | None) -> str | None:
    return value.strip()[:2].lower() or None if value else None


def _text_of(item: Item) -> str:
    # The longest candidate (summary or content) as given, then cleaned by its type.
    best = max(item.texts, key=lambda t: len(t.value), default=None)
    return clean(best)


def build(doc: Document, *, feed_id: str, url: str, source: str = "",
          language: str | None = None) -> ParsedFeed:
    """A read document → entries with their keys, whatever the format."""
    declared = _two_letters(doc.language)
    entries: list[Entry] = []
    useless = 0
    for item in doc.items:
        title = clean(item.title)
        link = (item.link or "").strip() or None
        if link and "://" not in link:
            link = urljoin(url, link)  # relative links resolve against the feed's URL
        text = _text_of(item)
        key = entry_key(item.guid, link, title, item.published)  # identity: the link as given
        # Feed content must not point us (full text) or readers (alerts) at file:,
        # javascript: or other schemes: an entry keeps only an http(s) link.
        web = link if is_http_url(link) else None
        if not title and not text and not web:
            useless += 1  # nothing to detect, nothing to show, nothing to fetch
            continue
        entries.append(Entry(
            feed_id=feed_id,
            key=key,
            url=web,
            title=title,
            text=text,
            published=item.published,
            language=language or _two_letters(item.language) or declared,
            content_hash=content_hash(title, text),
            source=source,
            day_only=item.day_only and item.published is not None,
        ))
    kept, links, duplicates = _keys(entries)
    return ParsedFeed(
        entries=kept,
        title=clean(doc.title),
        version=doc.version,
        problem=doc.problem,
        ttl=doc.ttl,
        update_period=doc.update_period,
        duplicates=duplicates,
        language=declared,
        guid_links=links,
        useless=useless,
    )


def _keys(entries: list[Entry]) -> tuple[tuple[Entry, ...], dict[str, GuidLink], int]:
    """Unique keys within one body, as a feed seen for the first time gets them.

    Entries are grouped by slot: their key, and for a guid also their link. In a slot,
    an entry with the words of an earlier one is a true repeat and is dropped; the
    others get their position. Of a guid's slots, the first keeps the guid key and the
    others are keyed by guid plus link (a guid that also comes without a link keeps the
    guid key for that one). The poller may move the guid key to another of the guid's
    links from what it saw before (`identity.resolve_guid_keys`).
    """
    slots: dict[tuple[str, str | None], list[str]] = {}
    placed: list[tuple[Entry, str | None, int]] = []
    duplicates = 0
    for e in entries:
        anchor = canonical_url(e.url) if e.key.startswith("g") and e.url else None
        hashes = slots.setdefault((e.key, anchor), [])
        if e.content_hash in hashes:
            duplicates += 1
            continue
        placed.append((e, anchor, len(hashes)))
        hashes.append(e.content_hash)
    linkless = {e.key for e, anchor, _ in placed if e.key.startswith("g") and anchor is None}
    owned: set[str] = set()
    links: dict[str, GuidLink] = {}
    out: list[Entry] = []
    for e, anchor, position in placed:
        base = e.key
        if anchor is None or e.url is None:
            key = position_key(base, position) if position else base
        elif position:
            key = position_key(linked_key(base, e.url), position)
        else:
            link = GuidLink(base, linked_key(base, e.url), link_tag(e.url))
            if base in linkless:
                key = link.linked_key  # the entry without a link has the guid key
            elif base in owned:
                key = link.linked_key
                links[key] = link
            else:
                owned.add(base)
                key = base
                links[key] = link
        out.append(e if key == e.key else replace(e, key=key))
    return tuple(out), links, duplicates


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
    warm()


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
            pool.submit(warm).result()

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
