"""Times as eventwatch stores and exchanges them (ISO 8601, timezone-aware, in UTC), and the
clocks it reads: `Clock` for dates, `Ticker` for pacing and retries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol


def iso(when: datetime, timespec: str = "seconds") -> str:
    """An aware time as ISO 8601 in UTC, to the second unless told otherwise."""
    return when.astimezone(UTC).isoformat(timespec=timespec)


def moment(value: object) -> datetime | None:
    """A stored ISO 8601 time (str or bytes) as an aware UTC datetime; None when absent
    or unreadable. A time without a zone is taken as UTC."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


Clock = Callable[[], datetime]  # injected wherever "now" decides something, so tests set it


def utc_now() -> datetime:
    return datetime.now(UTC)


class Ticker(Protocol):
    """Seconds on a monotonic clock, and a way to wait for them: what pacing and retries
    run on. Injected, so tests run them on virtual time (tests/virtualtime.py)."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class MonotonicTicker:
    """The real one: `time.monotonic()` and `asyncio.sleep`."""

    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


MONOTONIC: Ticker = MonotonicTicker()
