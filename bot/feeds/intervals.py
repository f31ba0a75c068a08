"""How often to poll a feed: pure functions of how its last poll went.

The poller stores each poll's decision (`next_interval`) and the scheduler times its
job by it; both use these rules, so they live apart from either. No clocks or sleeps:
tests drive them directly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.backoff import backoff
from bot.config.settings import FeedSpec, PollSettings

_THROTTLED = frozenset({429, 503})
_GROW = 1.25  # quiet poll: stretch the interval by this factor
_SHRINK = 1.5  # poll with new entries: shorten it by this factor


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the interval decision needs to know about one poll."""

    ok: bool
    http_status: int = 0
    failures: int = 0  # consecutive failures, this poll included
    new_entries: int = 0
    previous: float | None = None  # the interval used before this poll
    ttl: float | None = None  # RSS <ttl>, seconds
    update_period: float | None = None  # sy:updatePeriod / updateFrequency, seconds
    max_age: float | None = None  # Cache-Control max-age
    retry_after: float | None = None


def base_interval(feed: FeedSpec, settings: PollSettings) -> float:
    return float(feed.interval or settings.interval)


def next_interval(outcome: Outcome, settings: PollSettings, base: float, *,
                  adaptive: bool = True) -> float:
    """Seconds until the next poll of a feed, given how the last one went.

    Failures back off exponentially up to `max_backoff`; 429/503 and Retry-After are
    honoured (a server's Retry-After wins over our backoff, up to `max_backoff`).
    Successes drift toward `min_interval` while a feed keeps publishing and toward
    `max_interval` while it is quiet, never more often than the feed's own
    ttl/updatePeriod/max-age ask (those are capped at `max_interval`: we never go
    slower than the operator's ceiling for a healthy feed).
    """
    cap = settings.max_backoff
    if not outcome.ok:
        delay = backoff(outcome.failures, base, cap)
        if outcome.retry_after is not None:
            delay = max(delay, min(outcome.retry_after, cap))
        if outcome.http_status in _THROTTLED:
            delay = max(delay, min(cap, 2 * base))
        return float(min(delay, cap))
    lo, hi = settings.min_interval, max(settings.min_interval, settings.max_interval)
    previous = outcome.previous or base
    if not adaptive:
        current = base
    elif outcome.new_entries > 0:
        current = previous / _SHRINK
    else:
        current = previous * _GROW
    current = min(max(current, lo), hi)
    hints = [h for h in (outcome.ttl, outcome.update_period, outcome.max_age,
                         outcome.retry_after) if h]
    if hints:
        current = max(current, min(max(hints), hi))
    return float(current)


def jittered(delay: float, fraction: float, rng: random.Random) -> float:
    """Spread polls: ±fraction/10 of the delay (bounded so backoff stays backoff)."""
    spread = delay * min(fraction, 1.0) * 0.1
    return max(1.0, delay + rng.uniform(-spread, spread))
