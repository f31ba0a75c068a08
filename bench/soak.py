"""Soak: does memory stay bounded over many poll cycles? (issue 7 §5). Not a test.

    python bench/soak.py                     # 100 cycles over 2,000 feeds (a few minutes)
    python bench/soak.py --cycles 30 --feeds 500

The feed server is bench/poll.py's (its own process, same corpus generator). Each
cycle, a few % of the feeds publish one new entry; then the whole app path runs back to
back, without waiting for real intervals: `Poller.poll_many` → `Pipeline.handle` (rules,
stories, outbox, commit) → the outbox drained by a consumer. Every 10 cycles it prints
this process's RSS (plus the parser workers'), Redis `used_memory` and the bytes under
the bench's own key prefix.

Target: RSS growth under 10% from cycle 10 to the last cycle (the first cycles fill
caches, pools and the seen sets). As a naive baseline in the same run, a Redis-less
bot's in-process seen store (a dict of every entry key ever seen) is grown from the
same poll results; its growth is printed next to ours as a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.poll import control, drop_prefix, feed_server, redis_url  # noqa: E402  (after the path is set)
from tests.articles import ARTICLES, rss  # noqa: E402


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def deep_size(seen: dict[str, dict[str, str]]) -> int:
    """Bytes held by the naive seen store (containers + strings)."""
    size = sys.getsizeof(seen)
    for feed, entries in seen.items():
        size += sys.getsizeof(feed) + sys.getsizeof(entries)
        for key, value in entries.items():
            size += sys.getsizeof(key) + sys.getsizeof(value)
    return size


async def soak(port: int, n: int, cycles: int, fraction: float, url: str,
               server_pid: int | None) -> int:
    import redis.asyncio as aioredis

    from bot.config.loader import load_config
    from bot.config.settings import FeedSpec, PollSettings, StorySettings
    from bot.delivery.console import ConsoleSink
    from bot.delivery.outbox import Outbox
    from bot.feeds.fetch import Fetcher
    from bot.feeds.parse import Parser
    from bot.feeds.poll import Poller
    from bot.pipeline import Pipeline
    from bot.store.keys import Keys
    from bot.stories.store import StoryStore

    rules = load_config(ROOT / "config").rules
    settings = PollSettings(concurrency=64, per_host=64)  # one local host stands for many
    keys = Keys(prefix=f"ewsoak:{uuid.uuid4().hex[:8]}:v1")
    client = aioredis.Redis.from_url(url)
    feeds = [FeedSpec(id=f"f{i}", url=f"http://127.0.0.1:{port}/feed/{i}.xml")
             for i in range(n)]
    parser = Parser("process", workers=2)
    await asyncio.to_thread(parser.start)
    naive: dict[str, dict[str, str]] = {}
    rows: list[dict[str, float]] = []
    totals = {"entries": 0, "detections": 0, "alerts": 0}
    sink_out = io.StringIO()  # the console sink's output, emptied every cycle
    wire = FeedSpec(id="wire", url="http://wire.test/rss.xml", language="en")
    started = time.perf_counter()
    try:
        async with Fetcher(settings, trust_env=False) as fetcher:
            poller = Poller(client, keys, lambda: settings, fetcher, parser)
            outbox = Outbox(client, keys)
            stories = StoryStore(client, keys, StorySettings)
            pipeline = Pipeline(lambda: rules, poller, stories, outbox)
            sink = ConsoleSink(outbox, stream=sink_out)
            print(f"{'cycle':>5} {'wall s':>7} {'RSS MB':>8} {'Redis used MB':>14} "
                  f"{'prefix MB':>10} {'naive seen MB':>14} {'new':>6} {'alerts':>7}")
            for cycle in range(1, cycles + 1):
                if cycle > 1:
                    await asyncio.to_thread(control, port,
                                            f"/_mutate?fraction={fraction}&round={cycle}")
                t0 = time.perf_counter()
                results = await poller.poll_many(feeds)
                new = 0
                for feed, result in zip(feeds, results, strict=True):
                    handled = await pipeline.handle(feed, result)
                    new += handled.entries
                    totals["detections"] += handled.detections
                    totals["alerts"] += handled.alerts
                    store = naive.setdefault(feed.id, {})
                    for e in result.entries:
                        store[e.key] = e.content_hash
                # A wire feed whose reports fire rules, so that stories, their merges and
                # the outbox are exercised every cycle, not just polling.
                new += await wire_reports(pipeline, parser, wire, cycle, totals)
                await pipeline.flush_edits()
                await sink.drain()
                sink_out.seek(0)
                sink_out.truncate()
                totals["entries"] += new
                wall = time.perf_counter() - t0
                if cycle == 1 or cycle % 10 == 0 or cycle == cycles:
                    info = await client.info("memory")
                    prefix = 0
                    async for k in client.scan_iter(match=keys.pattern(), count=1000):
                        prefix += int(await client.memory_usage(k) or 0)
                    pids = [os.getpid(), *(p.pid for p in multiprocessing.active_children()
                                           if p.pid and p.pid != server_pid)]
                    row = {"cycle": cycle, "wall": wall, "rss": rss_mb(pids),
                           "redis": info["used_memory"] / 2**20, "prefix": prefix / 2**20,
                           "naive": deep_size(naive) / 2**20, "new": new}
                    rows.append(row)
                    print(f"{cycle:5d} {wall:7.2f} {row['rss']:8.1f} {row['redis']:14.1f} "
                          f"{row['prefix']:10.2f} {row['naive']:14.2f} {new:6d} "
                          f"{totals['alerts']:7d}", flush=True)
    finally:
        await asyncio.to_thread(parser.close)
        await drop_prefix(client, keys)
        await client.aclose()

    base = next((r for r in rows if r["cycle"] >= 10), rows[0])
    last = rows[-1]
    growth = (last["rss"] - base["rss"]) / base["rss"]
    naive_growth = (last["naive"] - base["naive"]) / base["naive"] if base["naive"] else 0.0
    redis_growth = (last["prefix"] - base["prefix"]) / base["prefix"] if base["prefix"] else 0.0
    print(f"total {time.perf_counter() - started:.0f} s; {totals['entries']} new entries "
          "handled (a feed's first poll only marks its backlog seen), "
          f"{totals['detections']} detections, "
          f"{totals['alerts']} alerts")
    print(f"RSS cycle {int(base['cycle'])} → {int(last['cycle'])}: {base['rss']:.1f} → "
          f"{last['rss']:.1f} MB, growth {growth:+.1%}   (target < 10%)  "
          f"{'OK' if growth < 0.10 else 'MISSED'}")
    print(f"Redis bytes under the prefix: {base['prefix']:.2f} → {last['prefix']:.2f} MB "
          f"({redis_growth:+.1%}; seen sets and story windows grow with new entries until "
          "their TTLs, by design)")
    ours_mb, naive_mb = last["rss"] - base["rss"], last["naive"] - base["naive"]
    print(f"naive in-process seen store: {base['naive']:.2f} → {last['naive']:.2f} MB "
          f"({naive_growth:+.1%}); MB grown, ours (whole process) / naive (its store "
          f"alone) = {ours_mb:.2f} / {naive_mb:.2f} = "
          f"{(ours_mb / naive_mb) if naive_mb else float('nan'):.2f}")
    return 0 if growth < 0.10 else 1


async def wire_reports(pipeline: Any, parser: Any, wire: Any, cycle: int,
                       totals: dict[str, int]) -> int:
    from bot.feeds.poll import PollResult

    items = []
    for i, (title, text) in enumerate(ARTICLES):
        figure = 100 + cycle * 7 + i  # a new figure every cycle: new stories and updates
        items.append((f"{title} ({cycle})", text.replace("detained", f"detained {figure} more")
                      + f" Report {cycle}-{i}."))
    body = rss(items, slug=f"c{cycle}").encode()
    parsed = await parser.parse(body, feed_id=wire.id, url=wire.url, source="Wire",
                                language="en", content_type="application/rss+xml")
    handled = await pipeline.handle(wire, PollResult(wire.id, "ok", entries=parsed.entries))
    totals["detections"] += handled.detections
    totals["alerts"] += handled.alerts
    return int(handled.entries)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=2000)
    ap.add_argument("--entries", type=int, default=30)
    ap.add_argument("--cycles", type=int, default=100)
    ap.add_argument("--fraction", type=float, default=0.03,
                    help="share of feeds with a new entry each cycle")
    args = ap.parse_args()
    ctx = multiprocessing.get_context("spawn")
    print(f"eventwatch soak: {args.cycles} cycles over {args.feeds} feeds × {args.entries} "
          f"entries, {args.fraction:.0%} of feeds change per cycle, {os.cpu_count()} CPUs, "
          f"python {sys.version.split()[0]}")
    with feed_server(ctx, args.feeds, args.entries) as (port, pid):
        return asyncio.run(soak(port, args.feeds, args.cycles, args.fraction, redis_url(), pid))


if __name__ == "__main__":
    sys.exit(main())
