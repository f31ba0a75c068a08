"""Redis memory taken by the story engine: 10,000 stories made of 100,000 entries.

    python bench/story_memory.py [--stories 10000] [--per-story 10] [--redis URL]

Each synthetic story is reported by `--per-story` outlets with small edits (syndicated
copies), within two hours; the stories are spread over the 48 h window. Every entry
matches one rule and carries its story's embedding. To measure the worst case of the
event-signature index, each story gets its own (rule, country) pair, so every story has
its own event key.

It prints the bytes under the bench's key prefix (the sum of MEMORY USAGE over its
keys, which is what expires), per story and per entry, the key count by kind, and, as
a naive baseline in the same run, an exact-title dedup (one SET NX key per entry).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stories import _cleanup, open_client  # noqa: E402
from bot.config.settings import StorySettings  # noqa: E402
from bot.store.keys import Keys  # noqa: E402
from bot.stories.embed import pack  # noqa: E402
from bot.stories.store import REPLAY_TTL, StoryStore  # noqa: E402
from bot.types import Entry  # noqa: E402
from detectors.types import Detection, Severity  # noqa: E402

START = datetime(2024, 3, 1, tzinfo=UTC)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    syllables = ["ka", "ro", "mi", "ta", "ne", "sol", "var", "du", "lek", "por", "sin", "al",
                 "bre", "gon", "ist", "ur", "zan", "tel", "mor", "vik"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def story_reports(rng: random.Random, vocab: list[str], n: int, per_story: int
                  ) -> list[tuple[Entry, Detection, bytes]]:
    title = [rng.choice(vocab) for _ in range(9)]
    lead = [rng.choice(vocab) for _ in range(45)]
    at = START + timedelta(seconds=rng.uniform(0, 46 * 3600))
    rule = f"rule-{n % 1000}"
    country = LETTERS[(n // 1000) % 26] + LETTERS[(n // 26000) % 26]
    detection = Detection(rule=rule, countries=(country,), severity=Severity.HIGH, score=1.0,
                          figures={"detained": 100 + n}, language="en")
    # A stand-in embedding of the story's size (384 float16): embedding 100,000 texts
    # would take hours here, and memory is all this bench measures.
    vector = pack([[rng.gauss(0, 1) for _ in range(384)]])[0]
    out = []
    for k in range(per_story):
        words = list(lead)
        for i in rng.sample(range(len(words)), 4):  # a syndicated copy with small edits
            words[i] = rng.choice(vocab)
        text = ". ".join(" ".join(words[j : j + 15]).capitalize() for j in range(0, 45, 15))
        out.append((Entry(
            feed_id=f"outlet-{k}", key=f"s{n}-{k}", url=f"https://outlet-{k}.example/{n}",
            title=" ".join(title).capitalize(), text=text + ".",
            published=at + timedelta(minutes=12 * k), language="en", content_hash=f"{n}-{k}",
            source=f"Outlet {k}"), detection, vector))
    return out


async def memory(client: aioredis.Redis, keys: Keys) -> tuple[int, Counter[str], int]:
    """Bytes under the prefix, bytes by kind of key, and the number of keys."""
    total, kinds, count = 0, Counter[str](), 0
    batch: list[bytes] = []

    async def flush() -> int:
        async with client.pipeline(transaction=False) as pipe:
            for k in batch:
                pipe.memory_usage(k)
            sizes = await pipe.execute()
        for k, size in zip(batch, sizes, strict=True):
            kinds[k.decode().removeprefix(keys.prefix + ":").split(":")[0]] += size or 0
        batch.clear()
        return sum(s or 0 for s in sizes)

    async for key in client.scan_iter(match=keys.pattern(), count=2000):
        batch.append(key)
        count += 1
        if len(batch) >= 2000:
            total += await flush()
    if batch:
        total += await flush()
    return total, kinds, count


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--per-story", type=int, default=10)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--redis", default=os.environ.get("EVENTWATCH_REDIS_URL"))
    args = parser.parse_args()

    rng = random.Random(5)
    vocab = vocabulary(rng)
    stories = [story_reports(rng, vocab, n, args.per_story) for n in range(args.stories)]
    # Interleave as the feeds would: in publication order.
    reports = sorted((r for s in stories for r in s), key=lambda r: r[0].published or START)
    client, server = await open_client(args.redis)
    keys = Keys(prefix=f"ewbench:{uuid.uuid4().hex[:8]}:v1")
    naive = Keys(prefix=f"ewbench:{uuid.uuid4().hex[:8]}:v1")
    try:
        clients = [client] + [aioredis.Redis(connection_pool=client.connection_pool)
                              for _ in range(args.workers - 1)]
        stores = [StoryStore(c, keys, lambda: StorySettings()) for c in clients]
        queue: asyncio.Queue[tuple[Entry, Detection, bytes]] = asyncio.Queue()
        for r in reports:
            queue.put_nowait(r)
        alerts = Counter[str]()

        async def worker(store: StoryStore) -> None:
            while not queue.empty():
                entry, detection, vector = queue.get_nowait()
                assert entry.published is not None
                for a in await store.ingest(entry, [detection], now=entry.published,
                                            vector=vector):
                    alerts[a.kind.value] += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(s) for s in stores))
        elapsed = time.perf_counter() - t0
        used, kinds, count = await memory(client, keys)

        for entry, _, _ in reports:
            await client.set(naive.story_claim(f"{entry.feed_id}:{entry.key}"), "1",
                             nx=True, ex=48 * 3600)
        naive_used, _, _ = await memory(client, naive)

        n_entries = len(reports)
        print(f"ingested {n_entries:,} entries in {elapsed:.1f} s "
              f"({n_entries / elapsed:,.0f} entries/s, {args.workers} workers)")
        print(f"alerts: {dict(alerts)}  (NEW = stories made)")
        by_kind = ", ".join(f"{k} {v / 2**20:.1f}" for k, v in kinds.most_common())
        print(f"keys: {count:,}; MiB by kind: {by_kind}")
        print(f"StoryStore memory now: {used / 2**20:.1f} MiB = "
              f"{used / max(1, alerts['new']):,.0f} B/story = {used / n_entries:,.0f} B/entry")
        # The replay copies live REPLAY_TTL (1 h) of wall time, the rest 48 h: at the
        # entries' real pace (spread over 48 h), only 1/48 of the copies exist at once.
        replay = kinds.get("detalerts", 0)
        steady = used - replay + replay * REPLAY_TTL / (48 * 3600)
        print(f"StoryStore memory at a steady 48 h pace: {steady / 2**20:.1f} MiB = "
              f"{steady / max(1, alerts['new']):,.0f} B/story = "
              f"{steady / n_entries:,.0f} B/entry")
        print(f"naive exact-key dedup: {naive_used / 2**20:.1f} MiB = "
              f"{naive_used / n_entries:,.0f} B/entry; ratio (steady) {steady / naive_used:.1f}x")
    finally:
        await _cleanup(client, keys)
        await _cleanup(client, naive)
        await client.aclose()
        if server is not None:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
