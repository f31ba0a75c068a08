"""Poll leases: several `eventwatch run` processes on one Redis poll each feed once per slot.

A slot is the feed's scheduled time, shared through Redis: every poll stores the next
poll time in the feed's state hash (`next_poll`). When a process's job for a feed fires:

- if the shared `next_poll` is still ahead, another process polled the feed already:
  skip, and re-time the job to that moment (so the processes converge on one schedule);
- else it is due: `SET lease NX PX` on `Keys.feed_lease(feed, slot)` with slot = that
  `next_poll` (0 before the first poll). One process wins and polls; the others skip.

The lease expires after one interval, or `min_hold` (2 min) if that is longer — it must
outlast the slowest poll, or a second process could take the same slot while the first
is still fetching. A process that dies mid-poll delays the feed by that much at most.
No read-modify-write: the only decision that needs atomicity is the `SET NX`.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

import redis.asyncio as aioredis

from bot.store.keys import Keys
from bot.times import moment

log = logging.getLogger(__name__)

# A shared next_poll this close ahead counts as due: covers clock skew between hosts and
# APScheduler firing a few ms early or late.
SKEW = 0.5


class PollLeases:
    """`claim()` answers: poll this feed now (None), or skip it for N seconds."""

    def __init__(self, redis: aioredis.Redis, keys: Keys, owner: str | None = None, *,
                 min_hold: float = 120.0) -> None:
        self.redis = redis
        self.keys = keys
        self.min_hold = min_hold
        self.owner = owner or f"{socket.gethostname()}-{os.getpid()}"

    async def due(self, feed_id: str) -> datetime | None:
        return moment(await self.redis.hget(self.keys.feed_state(feed_id), "next_poll"))

    async def claim(self, feed_id: str, now: datetime, interval: float) -> float | None:
        """None when this process won the feed's current slot; else seconds to wait."""
        due = await self.due(feed_id)
        if due is not None and due > now + timedelta(seconds=SKEW):
            return (due - now).total_seconds()
        slot = int(due.timestamp()) if due is not None else 0
        won = await self.redis.set(self.keys.feed_lease(feed_id, slot), self.owner,
                                   nx=True, px=int(max(interval, self.min_hold) * 1000))
        if won:
            return None
        log.debug("feed leased by another process", extra={"feed": feed_id, "slot": slot})
        return float(interval)
