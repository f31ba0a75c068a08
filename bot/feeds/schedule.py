"""When to poll each feed: one APScheduler job per feed, adaptive, polite, unbreakable.

The decisions (backoff, adaptive interval, honouring the feed's and server's hints)
are pure functions of a poll's outcome, so tests drive them without clocks or sleeps.
`FeedScheduler` only wires them to APScheduler 3.x's AsyncIOScheduler:

- one interval job per feed, first run jittered across the interval;
- `max_instances=1` and `coalesce=True`, plus a running-set guard, so the same feed is
  never polled twice at once (also not by `poll_now`);
- after each poll the job is re-timed to the interval the outcome calls for;
- nothing a poll or a callback raises escapes the job;
- with `leases` (bot/feeds/leases.py), processes sharing one Redis poll each feed once per
  slot: a job that loses the lease skips the poll and re-times itself to the shared
  schedule.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.config.settings import FeedSpec, PollSettings
from bot.feeds.intervals import base_interval, jittered
from bot.feeds.poll import PollResult
from bot.times import Clock, utc_now

log = logging.getLogger(__name__)

class FeedPoller(Protocol):
    async def poll(self, feed: FeedSpec, *, now: datetime | None = None) -> PollResult: ...


class Leases(Protocol):
    async def claim(self, feed_id: str, now: datetime, interval: float) -> float | None: ...


OnResult = Callable[[FeedSpec, PollResult], Awaitable[None]]
OnDead = Callable[[FeedSpec, str], Awaitable[None]]
OnSkip = Callable[[FeedSpec], None]



class FeedScheduler:
    """One APScheduler job per feed. `start()` inside the running loop."""

    def __init__(
        self,
        feeds: Iterable[FeedSpec],
        settings: Callable[[], PollSettings],
        poller: FeedPoller,
        on_result: OnResult,
        *,
        clock: Clock | None = None,
        on_dead: OnDead | None = None,
        rng: random.Random | None = None,
        leases: Leases | None = None,
        on_skip: OnSkip | None = None,
    ) -> None:
        self._settings = settings
        self.leases = leases
        self.on_skip = on_skip
        self.poller = poller
        self.on_result = on_result
        self.on_dead = on_dead
        self.clock = clock or utc_now
        self.rng = rng or random.Random()
        self._feeds: dict[str, FeedSpec] = {f.id: f for f in feeds}
        self._intervals: dict[str, float] = {}
        self._running: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._scheduler: AsyncIOScheduler | None = None

    @property
    def settings(self) -> PollSettings:
        return self._settings()

    # -- lifecycle --------------------------------------------------------
    def start(self, resume: Mapping[str, datetime] | None = None) -> None:
        """Schedule every feed. `resume` (from `Poller.schedule_state`) maps feed id →
        the next poll saved before a restart, so that backoff survives restarts."""
        loop = asyncio.get_running_loop()
        self._scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
        now = self.clock()
        for feed in self._feeds.values():
            saved = (resume or {}).get(feed.id)
            if saved is not None and saved > now:
                self._add(feed, first=False, at=saved)
            else:
                self._add(feed, first=True)
        self._scheduler.start()
        log.info("scheduler started", extra={"feeds": len(self._feeds)})

    async def shutdown(self, grace: float = 30.0) -> None:
        """Stop scheduling; let polls in flight finish (up to `grace` seconds)."""
        if self._scheduler is not None:
            scheduler, self._scheduler = self._scheduler, None
            if scheduler.running:
                scheduler.shutdown(wait=False)
        tasks = [t for t in self._tasks if not t.done()]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for t in pending:
                t.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    def reschedule(self, feeds: Iterable[FeedSpec]) -> None:
        """Apply a reloaded feed list: add new feeds, drop removed ones, re-time changed."""
        new = {f.id: f for f in feeds}
        old = self._feeds
        self._feeds = new
        if self._scheduler is None:
            return
        for feed_id in old.keys() - new.keys():
            self._remove(feed_id)
        for feed_id, feed in new.items():
            before = old.get(feed_id)
            if before is None:
                self._add(feed, first=True)
            elif before.url != feed.url or before.interval != feed.interval:
                self._intervals.pop(feed_id, None)
                self._add(feed, first=True)

    # -- jobs -------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Is the scheduler alive (for /healthz)?"""
        return self._scheduler is not None and self._scheduler.running

    def job_id(self, feed_id: str) -> str:
        return f"feed:{feed_id}"

    def next_run(self, feed_id: str) -> datetime | None:
        if self._scheduler is None:
            return None
        job = self._scheduler.get_job(self.job_id(feed_id))
        return job.next_run_time if job else None

    def _add(self, feed: FeedSpec, *, first: bool, at: datetime | None = None) -> None:
        assert self._scheduler is not None
        interval = self._intervals.get(feed.id) or base_interval(feed, self.settings)
        if at is None:
            offset = self.rng.uniform(0, interval * self.settings.jitter) if first else interval
            at = self.clock() + timedelta(seconds=offset)
        self._scheduler.add_job(
            self.run_feed,
            trigger=IntervalTrigger(seconds=interval, start_date=at, timezone=UTC),
            # Explicit, or a start already past when the scheduler starts (zero jitter,
            # a slow start with many feeds) would wait a whole interval.
            next_run_time=at,
            args=(feed.id,),
            id=self.job_id(feed.id),
            name=feed.id,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,  # late is better than never
            replace_existing=True,
        )

    def _remove(self, feed_id: str) -> None:
        assert self._scheduler is not None
        self._intervals.pop(feed_id, None)
        if self._scheduler.get_job(self.job_id(feed_id)):
            self._scheduler.remove_job(self.job_id(feed_id))

    def _retime(self, feed_id: str, delay: float, *, remember: bool = True) -> None:
        """Next run in `delay` s; `remember` makes it the feed's interval from then on."""
        if self._scheduler is None or feed_id not in self._feeds:
            return
        if remember:
            self._intervals[feed_id] = delay
        every = self._interval(self._feeds[feed_id])
        start = self.clock() + timedelta(seconds=delay)
        if self._scheduler.get_job(self.job_id(feed_id)):
            self._scheduler.reschedule_job(
                self.job_id(feed_id),
                trigger=IntervalTrigger(seconds=every, start_date=start, timezone=UTC),
            )

    def _interval(self, feed: FeedSpec) -> float:
        return self._intervals.get(feed.id) or base_interval(feed, self.settings)

    async def poll_now(self, feed_id: str) -> PollResult | None:
        """Poll one feed immediately (admin command, tests); None if already running.
        An explicit request, so it takes no lease (a concurrent job poll still can't
        overlap in this process)."""
        return await self.run_feed(feed_id, leased=False)

    async def run_feed(self, feed_id: str, *, leased: bool = True) -> PollResult | None:
        """The job body. Never raises; skips if the feed is already being polled (here,
        or, with leases, by another process)."""
        feed = self._feeds.get(feed_id)
        if feed is None or feed_id in self._running:
            if feed is not None:
                log.info("poll still running, skipped", extra={"feed": feed_id})
            return None
        self._running.add(feed_id)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            if leased and not await self._leased(feed):
                return None
            return await self._run(feed)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("feed job failed", extra={"feed": feed_id})
            return None
        finally:
            self._running.discard(feed_id)
            if task is not None:
                self._tasks.discard(task)

    async def _leased(self, feed: FeedSpec) -> bool:
        """May this process poll the feed now? (Always, without leases.)"""
        if self.leases is None:
            return True
        interval = self._interval(feed)
        try:
            wait = await self.leases.claim(feed.id, self.clock(), interval)
        except Exception:  # Redis away: the poll could not be processed anyway
            log.warning("poll lease unavailable; poll skipped", extra={"feed": feed.id},
                        exc_info=True)
            self._retime(feed.id, min(interval, 30.0), remember=False)
            return False
        if wait is None:
            return True
        if self.on_skip is not None:
            self.on_skip(feed)  # the feed is being handled, by another process
        self._retime(feed.id, max(wait, 0.01), remember=False)
        return False

    async def _run(self, feed: FeedSpec) -> PollResult:
        result = await self.poller.poll(feed, now=self.clock())
        try:
            await self.on_result(feed, result)
        except Exception:
            # Not committed, so the next poll offers the entries again.
            log.exception("processing poll result failed", extra={"feed": feed.id})
        if result.dead_notice:  # once per death: the poller records it atomically
            reason = str(result.error) if result.error else "unknown error"
            log.error("feed is dead", extra={"feed": feed.id, "reason": reason,
                                             "failures": result.failures})
            if self.on_dead is not None:
                try:
                    await self.on_dead(feed, reason)
                except Exception:
                    log.exception("dead-feed notice failed", extra={"feed": feed.id})
        delay = jittered(result.next_interval, self.settings.jitter, self.rng)
        self._retime(feed.id, delay)
        return result
