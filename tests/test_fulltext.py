"""Full text for teaser feeds: a real page from a local server, trafilatura, Redis cache."""

from __future__ import annotations

from datetime import UTC, datetime

import redis.asyncio as aioredis

from bot.config.settings import PollSettings
from bot.feeds.fetch import Fetcher
from bot.feeds.fulltext import FullText
from bot.store.keys import Keys
from bot.types import Entry
from tests.conftest import REFERENCE_ARTICLE
from tests.feedserver import FeedServer

# The page server is on 127.0.0.1: allow private pages (tests/test_ssrf.py covers refusal).
PAGES = PollSettings(allow_private_pages=True)
REFERENCE = REFERENCE_ARTICLE.read_text(encoding="utf-8")
PARAGRAPHS = "\n".join(f"<p>{line}</p>" for line in REFERENCE.splitlines()[:-1])
PAGE = f"""<!doctype html><html><head><title>Putin on Kazakhstan</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Putin: troops sent to Kazakhstan</h1>{PARAGRAPHS}</article>
<aside>Most read: celebrity news, weather, horoscope</aside>
<footer>© Example News 2022. All rights reserved. Cookie settings.</footer></body></html>"""


def teaser(url: str) -> Entry:
    return Entry(feed_id="teasers", key="kz-1", url=url, title="Putin: troops sent to Kazakhstan",
                 text="The situation in Kazakhstan is an aggression of international terrorism…",
                 published=datetime(2022, 1, 10, 12, tzinfo=UTC), language="en",
                 content_hash="h1", source="Teasers")


async def test_teaser_gets_the_article_text_once(redis_client: aioredis.Redis, keys: Keys) -> None:
    async with FeedServer() as server, Fetcher(PAGES, trust_env=False) as fetcher:
        server.route("/article", body=PAGE, content_type="text/html; charset=utf-8")
        full = FullText(redis_client, keys, fetcher)
        entry = teaser(server.url("/article"))
        enriched = await full.enrich(entry)
        assert "reported the detention of almost 8,000 people" in enriched.text
        assert "Cookie settings" not in enriched.text and "horoscope" not in enriched.text
        assert (enriched.key, enriched.content_hash) == (entry.key, entry.content_hash)
        # Cached: another poll (or worker) does not fetch the page again.
        again = await FullText(redis_client, keys, fetcher).enrich(entry)
        assert again.text == enriched.text
        assert server.hits("/article") == 1
        assert 0 < await redis_client.ttl(full._key(entry.url or "")) <= 7 * 86400


async def test_missing_page_keeps_the_teaser_and_is_not_refetched(
    redis_client: aioredis.Redis, keys: Keys
) -> None:
    async with FeedServer() as server, Fetcher(PAGES, trust_env=False) as fetcher:
        server.route("/gone", status=404, body="not here", content_type="text/html")
        full = FullText(redis_client, keys, fetcher)
        entry = teaser(server.url("/gone"))
        assert await full.enrich(entry) == entry
        assert await full.enrich(entry) == entry
        assert server.hits("/gone") == 1
        assert 0 < await redis_client.ttl(full._key(entry.url or "")) <= 3600
