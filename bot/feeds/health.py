"""The body of `eventwatch feeds`: how each configured feed is doing, from Redis.

A feed that has been polled but has never answered with a feed (a wrong or guessed
URL, a site that blocks us) is marked as such: it is the first thing to check after
adding sources. The items each feed repeats (dropped as duplicates) are shown too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.asyncio as aioredis

from bot.config.settings import FeedSpec
from bot.feeds.poll import LOG_WINDOW
from bot.store.feedstate import FeedState
from bot.store.keys import Keys
from bot.text import clip


@dataclass(frozen=True, slots=True)
class FeedHealth:
    feed_id: str
    name: str
    url: str
    status: str  # ok | failing | dead | new (never polled)
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    failures: int = 0
    next_poll: datetime | None = None
    entries_per_day: float | None = None
    interval: float | None = None
    effective_url: str | None = None  # after a permanent redirect
    problem: str | None = None  # the feed parses, but is malformed
    never_answered: bool = False  # polled, but never successfully (since `first_poll`)
    first_poll: datetime | None = None
    duplicates: int | None = None  # items the last parsed body repeated (dropped)


async def feed_health(
    redis: aioredis.Redis,
    keys: Keys,
    feeds: Sequence[FeedSpec],
    *,
    now: datetime | None = None,
) -> list[FeedHealth]:
    """One row per configured feed, in config order. Two round trips in all."""
    now = now or datetime.now(UTC)
    window_start = now.timestamp() - LOG_WINDOW
    async with redis.pipeline(transaction=False) as pipe:
        for f in feeds:
            pipe.hgetall(keys.feed_state(f.id))
            pipe.zcount(keys.feed_entries_log(f.id), window_start, "+inf")
            pipe.zrange(keys.feed_entries_log(f.id), 0, 0, withscores=True)
        replies = await pipe.execute()
    rows = []
    for i, f in enumerate(feeds):
        state, count, oldest = replies[3 * i], replies[3 * i + 1], replies[3 * i + 2]
        rows.append(_row(f, FeedState.decode(state), int(count or 0), oldest, now))
    return rows


def _row(f: FeedSpec, state: FeedState, count: int, oldest: Any, now: datetime
         ) -> FeedHealth:
    if state == FeedState() or state.url not in (None, f.url):
        return FeedHealth(f.id, f.display_name, f.url, "new")
    failures = state.failures
    status = "dead" if state.dead_since is not None else "failing" if failures else "ok"
    # Entries per day over the last week, or over the time we have known the feed.
    observed_from = state.since
    if oldest:
        logged = datetime.fromtimestamp(float(oldest[0][1]), UTC)
        observed_from = min(logged, observed_from) if observed_from else logged
    per_day = None
    if observed_from:
        start = max(observed_from, now - timedelta(seconds=LOG_WINDOW))
        per_day = round(count / max((now - start).total_seconds() / 86400, 1.0), 1)
    return FeedHealth(
        feed_id=f.id,
        name=f.display_name,
        url=f.url,
        status=status,
        last_success=state.last_success,
        last_error=state.last_error,
        last_error_at=state.last_error_at,
        failures=failures,
        next_poll=state.next_poll,
        entries_per_day=per_day,
        interval=state.interval,
        effective_url=state.effective_url,
        problem=state.problem,
        never_answered=state.init != f.url,  # no body of this URL has parsed yet
        first_poll=state.first_poll,
        duplicates=state.duplicates,
    )


def ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "-"
    seconds = (now - when).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 90:
        text = f"{seconds:.0f}s"
    elif seconds < 5400:
        text = f"{seconds / 60:.0f}m"
    elif seconds < 2 * 86400:
        text = f"{seconds / 3600:.1f}h"
    else:
        text = f"{seconds / 86400:.0f}d"
    return f"in {text}" if future else f"{text} ago"


def format_health(rows: Sequence[FeedHealth], *, now: datetime | None = None,
                  width: int = 60) -> str:
    """A plain-text table, one line per feed, then the reasons of broken feeds."""
    now = now or datetime.now(UTC)
    header = ("FEED", "STATUS", "LAST SUCCESS", "LAST ERROR", "FAILS", "NEXT POLL", "PER DAY",
              "DUPES")
    table: list[tuple[str, ...]] = [header]
    for r in rows:
        error = "-"
        if r.last_error:
            error = f"{ago(r.last_error_at, now)}: {r.last_error}"
            error = clip(error, width)
        table.append((
            r.feed_id,
            f"{r.status} (never answered)" if r.never_answered else r.status,
            "never" if r.never_answered else ago(r.last_success, now),
            error,
            str(r.failures),
            ago(r.next_poll, now),
            "-" if r.entries_per_day is None else f"{r.entries_per_day:g}",
            "-" if r.duplicates is None else str(r.duplicates),
        ))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in table]
    notes = []
    for r in rows:
        if r.never_answered:
            since = f" (first tried {ago(r.first_poll, now)})" if r.first_poll else ""
            notes.append(f"{r.feed_id}: has never answered with a feed{since}; check {r.url}, "
                         "or find the site's feeds with `eventwatch feeds add SITE-URL`")
        if r.duplicates:
            notes.append(f"{r.feed_id}: the last body repeated {r.duplicates} item(s); "
                         "the repeats were dropped")
        if r.effective_url:
            notes.append(f"{r.feed_id}: moved permanently to {r.effective_url}")
        if r.problem:
            notes.append(f"{r.feed_id}: malformed feed: {r.problem}")
    counts = {s: sum(1 for r in rows if r.status == s) for s in ("ok", "failing", "dead", "new")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    silent = sum(1 for r in rows if r.never_answered)
    if silent:
        summary += f" ({silent} never answered)"
    out = "\n".join(lines) + f"\n\n{len(rows)} feeds: {summary or 'none'}"
    if notes:
        out += "\n" + "\n".join(notes)
    return out + "\n"
