"""Poll interval decisions and the backoff formula: pure, no clock."""

from __future__ import annotations

import random

from bot.backoff import backoff
from bot.config.settings import PollSettings
from bot.feeds.intervals import Outcome, jittered, next_interval

S = PollSettings()  # 300 s default, 30 s .. 1 h, backoff up to 6 h


def test_backoff_doubles_up_to_six_hours() -> None:
    delays = [backoff(n, 300, S.max_backoff) for n in range(0, 10)]
    assert delays[:5] == [300, 600, 1200, 2400, 4800]
    assert delays[-1] == 6 * 3600 and max(delays) == 6 * 3600


def test_failures_back_off_and_honour_retry_after() -> None:
    first = next_interval(Outcome(ok=False, http_status=500, failures=1), S, 300)
    second = next_interval(Outcome(ok=False, http_status=404, failures=2), S, 300)
    assert (first, second) == (600, 1200)
    later = next_interval(Outcome(ok=False, http_status=503, failures=1, retry_after=5000), S, 300)
    assert later == 5000
    huge = next_interval(Outcome(ok=False, http_status=429, failures=1, retry_after=1e9), S, 300)
    assert huge == S.max_backoff
    throttled = next_interval(Outcome(ok=False, http_status=429, failures=1), S, 300)
    assert throttled >= 600


def test_busy_feed_moves_to_minimum_quiet_feed_to_maximum() -> None:
    busy = quiet = 300.0
    for _ in range(40):
        busy = next_interval(Outcome(ok=True, new_entries=3, previous=busy), S, 300)
        quiet = next_interval(Outcome(ok=True, new_entries=0, previous=quiet), S, 300)
    assert busy == S.min_interval and quiet == S.max_interval
    # One step at a time, not a jump.
    assert next_interval(Outcome(ok=True, new_entries=1, previous=300), S, 300) == 200


def test_feed_and_server_hints_set_a_floor() -> None:
    ttl = next_interval(Outcome(ok=True, new_entries=5, previous=60, ttl=900), S, 300)
    assert ttl == 900
    period = next_interval(Outcome(ok=True, new_entries=5, previous=60, update_period=86400),
                           S, 300)
    assert period == S.max_interval  # a daily feed is still checked hourly
    cache = next_interval(Outcome(ok=True, new_entries=5, previous=60, max_age=120), S, 300)
    assert cache == 120


def test_fixed_interval_does_not_adapt() -> None:
    fixed = next_interval(Outcome(ok=True, new_entries=0, previous=600), S, 120, adaptive=False)
    assert fixed == 120


def test_jitter_is_bounded() -> None:
    rng = random.Random(1)
    values = [jittered(1000, 1.0, rng) for _ in range(200)]
    assert min(values) >= 900 and max(values) <= 1100 and len(set(values)) > 100
    assert jittered(1000, 0.0, rng) == 1000
