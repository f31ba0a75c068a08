"""The feed state codec: typed values in, the stored strings out, and back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.store.feedstate import FeedState, encode

NOW = datetime(2026, 1, 5, 12, 30, 15, tzinfo=UTC)


def test_fields_round_trip_through_their_stored_strings() -> None:
    stored = encode(url="https://a.example/rss", failures=3, interval=375, feed_hint=1800.5,
                    next_poll=NOW + timedelta(seconds=375), problem=None, last_status=503)
    assert stored == {"url": "https://a.example/rss", "failures": "3", "interval": "375",
                      "feed_hint": "1800.5", "next_poll": "2026-01-05T12:36:30.000+00:00",
                      "problem": "", "last_status": "503"}
    state = FeedState.decode({k.encode(): v.encode() for k, v in stored.items()})
    assert state == FeedState(url="https://a.example/rss", failures=3, interval=375.0,
                              feed_hint=1800.5, next_poll=NOW + timedelta(seconds=375),
                              last_status=503)


def test_times_are_stored_in_utc() -> None:
    almaty = timezone(timedelta(hours=5))
    assert encode(since=NOW.astimezone(almaty)) == {"since": "2026-01-05T12:30:15.000+00:00"}


def test_times_keep_milliseconds_for_the_shared_poll_slot() -> None:
    # Rounded to the second, the next poll read 0.99 s early by another process, which
    # then polled a second time within one interval (tests/test_scaleout.py).
    due = NOW + timedelta(seconds=2, milliseconds=987)
    stored = encode(next_poll=due)
    state = FeedState.decode({k.encode(): v.encode() for k, v in stored.items()})
    assert state.next_poll == due
    # Times stored before to the second still read.
    assert FeedState.decode({b"next_poll": b"2026-01-05T12:30:15+00:00"}).next_poll == NOW


def test_unreadable_or_unknown_fields_read_as_absent() -> None:
    state = FeedState.decode({b"failures": b"many", b"next_poll": b"soon", b"colour": b"red",
                              b"etag": b'"abc"'})
    assert state == FeedState(etag='"abc"')


def test_a_field_the_state_does_not_have_is_a_bug() -> None:
    with pytest.raises(KeyError, match="colour"):
        encode(colour="red")
