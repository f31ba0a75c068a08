"""Full text for teaser feeds: fetch the article page, extract its main text, cache it.

Opt-in per feed (`fulltext: true` in feeds.yaml). The page is fetched with the same
`Fetcher` as the feeds, so the same limits hold (concurrency per host and overall,
timeouts, body cap, redirects). trafilatura finds the main text (no menus, comments or
tables) off the event loop. The result — or the fact that there was none — is cached
in Redis under `Keys.fulltext`, compressed, so a re-poll or another worker never
fetches the page again within the TTL.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import zlib
from collections.abc import Mapping
from dataclasses import replace
from typing import Protocol

import redis.asyncio as aioredis

from bot.feeds.fetch import FetchResult
from bot.store.keys import Keys
from bot.types import Entry
from bot.urls import is_http_url

log = logging.getLogger(__name__)

TTL = 7 * 86400  # pages rarely change after the first days; stories live 48 h
MISS_TTL = 3600  # a page that failed or had no text: try again later, not every poll
_MISS = b"-"
_PAGE_CAP = 2 * 1024 * 1024  # HTML beyond this is not an article; don't parse it


class PageSource(Protocol):
    async def get(
        self, url: str, *, headers: Mapping[str, str] | None = None
    ) -> FetchResult: ...


def extract(html: bytes, url: str | None = None) -> str | None:
    """The main text of an article page, paragraphs on their own lines; None if none."""
    import trafilatura  # imported on first use: it is heavy and only teaser feeds need it

    text = trafilatura.extract(
        html[:_PAGE_CAP],
        url=url,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        deduplicate=True,
    )
    return (text.strip() or None) if text else None


class FullText:
    def __init__(
        self,
        redis: aioredis.Redis,
        keys: Keys,
        pages: PageSource,
        *,
        ttl: float = TTL,
        miss_ttl: float = MISS_TTL,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.pages = pages
        self.ttl = ttl
        self.miss_ttl = miss_ttl

    def _key(self, url: str) -> str:
        return self.keys.fulltext(hashlib.sha1(url.encode("utf-8")).hexdigest()[:24])

    async def text(self, url: str) -> str | None:
        """The article's main text, from the cache or fetched now; None if there is none."""
        key = self._key(url)
        cached = await self.redis.get(key)
        if isinstance(cached, bytes):
            return None if cached == _MISS else zlib.decompress(cached).decode("utf-8")
        result = await self.pages.get(url)
        text: str | None = None
        if result.ok and result.body is not None:
            try:
                text = await asyncio.to_thread(extract, result.body, result.effective_url or url)
            except Exception:  # a page that breaks the parser is just a page without text
                log.warning("full-text extraction failed", extra={"url": url}, exc_info=True)
        else:
            log.info("article page not fetched",
                     extra={"url": url, "status": result.status, "error": str(result.error)})
        if text:
            await self.redis.set(key, zlib.compress(text.encode("utf-8")), ex=int(self.ttl))
        else:
            await self.redis.set(key, _MISS, ex=int(self.miss_ttl))
        return text

    async def enrich(self, entry: Entry) -> Entry:
        """The entry with its article's text, when that says more than the feed's teaser.

        Identity (`key`) and version (`content_hash`) stay the feed's: fetching the page
        must not make an entry look new or edited.
        """
        if not is_http_url(entry.url):
            return entry  # the fetcher refuses other schemes too; don't even try
        text = await self.text(entry.url)
        if not text or len(text) <= len(entry.text):
            return entry
        return replace(entry, text=text)
