"""A feed's stored state (`Keys.feed_state`) as a typed value, and its codec.

The poller writes the state field by field (HSET of what one poll changed, HINCRBY of
the failure count, HSETNX of first-time fields), so the codec works on single fields:
`encode` turns typed values into the hash's strings, `FeedState.decode` reads the whole
hash back. An absent or unreadable field reads as None.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.store.redis import text_hash
from bot.times import iso, moment


@dataclass(frozen=True, slots=True)
class FeedState:
    url: str | None = None  # the configured URL this state belongs to
    init: str | None = None  # the URL whose first poll is done (a new URL starts over)
    effective_url: str | None = None  # after a permanent redirect
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    since: datetime | None = None  # first successful poll
    first_poll: datetime | None = None  # first poll, successful or not
    last_poll: datetime | None = None
    last_success: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    failures: int = 0  # consecutive
    dead_since: datetime | None = None
    interval: float | None = None  # seconds, as the last poll decided
    next_poll: datetime | None = None
    feed_hint: float | None = None  # the feed's own ttl / updatePeriod, seconds
    pruned: float | None = None  # epoch seconds of the last seen-set pruning
    title: str | None = None
    problem: str | None = None  # parsed, but malformed
    entries: int | None = None  # entries in the last body
    duplicates: int | None = None  # items the last body repeated (dropped), issue 14

    @classmethod
    def decode(cls, raw: Mapping[Any, Any]) -> FeedState:
        """An HGETALL reply (bytes or str) as a FeedState."""
        values: dict[str, Any] = {}
        for name, value in text_hash(raw).items():
            kind = _KINDS.get(name)
            if kind is None or value == "":
                continue
            values[name] = _decode(kind, value)
        return cls(**{k: v for k, v in values.items() if v is not None})


_KINDS: dict[str, str] = {f.name: str(f.type) for f in dataclasses.fields(FeedState)}


def _decode(kind: str, value: str) -> Any:
    if "datetime" in kind:
        return moment(value)
    try:
        if kind.startswith("int"):
            return int(float(value))
        if kind.startswith("float"):
            return float(value)
    except ValueError:
        return None
    return value


def encode(**fields: Any) -> dict[Any, str]:
    """Typed field values as the strings stored in the hash (None stores "")."""
    out: dict[Any, str] = {}
    for name, value in fields.items():
        if name not in _KINDS:
            raise KeyError(f"FeedState has no field {name!r}")
        out[name] = _encode(value)
    return out


def _encode(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Milliseconds: `next_poll` is the slot that processes share (bot/feeds/leases);
        # rounded down to the second, a second process could poll up to 1 s early.
        return iso(value, "milliseconds")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
