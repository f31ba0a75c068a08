"""The peer corpus (issue 14): feedparser's and Miniflux's test feeds, served over HTTP
by a local server, polled by the real poller (fetcher, parser pool, Redis seen set),
entry counts compared with the expectations written beside them.

`tests/data/feeds/peer/expected.json` holds the count a correct reader keeps (made
from the documents and cross-checked with feedparser and Miniflux, see ORIGIN.md);
`expected-eventwatch.json` holds where eventwatch deliberately keeps another number,
each with its reason (docs/feeds.md lists them). The test checks ours where we differ
and theirs everywhere else.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.config.settings import FeedSpec, PollSettings
from bot.feeds.fetch import Fetcher
from bot.feeds.parse import Parser
from bot.feeds.poll import Poller, PollStatus
from bot.store.keys import Keys
from tests.feedserver import FeedServer

PEER = Path(__file__).parent / "data" / "feeds" / "peer"
THEIRS: dict[str, dict[str, Any]] = json.loads((PEER / "expected.json").read_text("utf-8"))
OURS: dict[str, dict[str, Any]] = json.loads(
    (PEER / "expected-eventwatch.json").read_text("utf-8"))
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SETTINGS = PollSettings(timeout=10, connect_timeout=2, concurrency=32, per_host=32)
TYPES = {".xml": "application/xml", ".json": "application/feed+json"}


def expected(name: str) -> int:
    """Our count where we deliberately differ, the peers' everywhere else."""
    return int((OURS.get(name) or THEIRS[name])["entries"])


def feed_id(i: int) -> str:
    return f"peer-{i}"


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as s:
        for name, record in THEIRS.items():
            headers = dict(record.get("http_headers") or {})
            content_type = next((v for k, v in headers.items()
                                 if k.lower() == "content-type"), TYPES[Path(name).suffix])
            headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            s.route(f"/{name}", body=(PEER / name).read_bytes(), content_type=content_type,
                    headers=headers)
        yield s


def test_the_corpus_is_representative() -> None:
    """What issue 14 asks of it: at least 200 files across formats and troubles."""
    assert len(THEIRS) >= 200
    assert all((PEER / name).is_file() for name in THEIRS)
    formats = Counter(r["format"] for r in THEIRS.values())
    for fmt in ("rss20", "rss10", "rss090", "atom10", "atom03", "json1", "json11", "unknown"):
        assert formats[fmt] >= 1, fmt
    tags = Counter(t for r in THEIRS.values() for t in r.get("tags", ()))
    for tag in ("encoding", "illformed", "entities", "duplicate-guid", "json", "html-content"):
        assert tags[tag] >= 5, tag
    assert set(OURS) <= set(THEIRS)
    assert all(r.get("reason") for r in OURS.values())
    assert (PEER / "LICENSE-feedparser").is_file() and (PEER / "LICENSE-miniflux").is_file()


async def test_peer_corpus_polled_over_http_issue14(
    server: FeedServer, redis_client: aioredis.Redis, keys: Keys
) -> None:
    names = sorted(THEIRS)
    feeds = [FeedSpec(id=feed_id(i), url=server.url(f"/{name}"), backfill="all")
             for i, name in enumerate(names)]
    started = time.perf_counter()
    async with Fetcher(SETTINGS, trust_env=False) as fetcher:
        with Parser("process", workers=2) as parser:
            poller = Poller(redis_client, keys, lambda: SETTINGS, fetcher, parser)
            results = await poller.poll_many(feeds, now=NOW)
            again = await poller.poll_many(feeds[:50], now=NOW)
    took = time.perf_counter() - started

    wrong = {}
    for name, result in zip(names, results, strict=True):
        got = len(result.entries)
        if got != expected(name):
            wrong[name] = (expected(name), got, result.error and str(result.error))
        # Errors are values: a broken document is a recorded parse error, never a crash.
        if result.error is not None:
            assert result.error.kind.value == "parse", (name, result.error)
    assert wrong == {}
    assert all(server.hits(f"/{name}") >= 1 for name in names)
    # Nothing committed: a second poll returns the same entries, keys unchanged.
    for first, second in zip(results[:50], again, strict=True):
        assert [e.key for e in first.entries] == [e.key for e in second.entries]
    ok = sum(r.status is PollStatus.OK for r in results)
    assert ok >= len(names) - 20
    assert took < 60, f"the corpus took {took:.1f} s"
