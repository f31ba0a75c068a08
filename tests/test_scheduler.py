"""The feed scheduler wired to APScheduler, with a clock injected (decisions: test_intervals)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from bot.config.settings import FeedSpec, PollSettings
from bot.feeds.fetch import Fetcher
from bot.feeds.parse import Parser
from bot.feeds.poll import Poller, PollResult
from bot.feeds.schedule import FeedScheduler
from bot.store.keys import Keys
from tests.feedserver import FeedServer

S = PollSettings()  # 300 s default, 30 s .. 1 h, backoff up to 6 h
RSS = ("<rss version='2.0'><channel><title>t</title><item><guid>1</guid><title>a</title>"
       "</item></channel></rss>")


# -- wiring -------------------------------------------------------------------

class Clock:
    """Time as the test says: a day ahead of real time so APScheduler never fires."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as s:
        yield s


@pytest.fixture
def parser() -> Iterator[Parser]:
    with Parser("thread", workers=1) as p:
        yield p


@pytest.fixture
async def poller(redis_client: aioredis.Redis, keys: Keys, parser: Parser
                 ) -> AsyncIterator[Poller]:
    settings = PollSettings(dead_after=2, timeout=5)
    async with Fetcher(settings, trust_env=False) as fetcher:
        yield Poller(redis_client, keys, lambda: settings, fetcher, parser)


class Recorder:
    def __init__(self) -> None:
        self.results: list[tuple[str, PollResult]] = []
        self.dead: list[tuple[str, str]] = []

    async def on_result(self, feed: FeedSpec, result: PollResult) -> None:
        self.results.append((feed.id, result))

    async def on_dead(self, feed: FeedSpec, reason: str) -> None:
        self.dead.append((feed.id, reason))


def delay_of(sched: FeedScheduler, feed_id: str, clock: Clock) -> float:
    when = sched.next_run(feed_id)
    assert when is not None
    return (when - clock.now).total_seconds()


async def test_one_job_per_feed_jittered_no_overlap_settings(
    server: FeedServer, poller: Poller
) -> None:
    feeds = [FeedSpec(id=f"f{n}", url=server.url(f"/{n}.xml")) for n in range(20)]
    clock, rec = Clock(), Recorder()
    sched = FeedScheduler(feeds, lambda: poller.settings, poller, rec.on_result, clock=clock,
                          rng=random.Random(7))
    sched.start()
    try:
        assert sched._scheduler is not None
        jobs = sched._scheduler.get_jobs()
        assert len(jobs) == 20
        assert all(j.max_instances == 1 and j.coalesce for j in jobs)
        offsets = [delay_of(sched, f.id, clock) for f in feeds]
        assert all(0 <= o <= 300 for o in offsets)
        assert len({round(o) for o in offsets}) > 10  # spread out, not all at once
    finally:
        await sched.shutdown()


async def test_same_feed_never_polled_twice_at_once(server: FeedServer, poller: Poller) -> None:
    gate = asyncio.Event()
    server.route("/f.xml", body=RSS, gate=gate)
    feed = FeedSpec(id="f", url=server.url("/f.xml"))
    clock, rec = Clock(), Recorder()
    sched = FeedScheduler([feed], lambda: poller.settings, poller, rec.on_result, clock=clock)
    sched.start()
    try:
        first = asyncio.create_task(sched.run_feed("f"))
        await server.wait_hits("/f.xml")
        assert await sched.run_feed("f") is None  # skipped: one is in flight
        gate.set()
        result = await first
        assert result is not None and result.status == "ok"
        assert server.hits("/f.xml") == 1 and len(rec.results) == 1
        # Re-timed from the poll's outcome (jitter ±10%).
        assert 0.9 * result.next_interval <= delay_of(sched, "f", clock) <= (
            1.1 * result.next_interval)
    finally:
        await sched.shutdown()


async def test_backoff_then_dead_notice_once(server: FeedServer, poller: Poller) -> None:
    server.route("/f.xml", status=500)
    feed = FeedSpec(id="f", url=server.url("/f.xml"))
    clock, rec = Clock(), Recorder()
    sched = FeedScheduler([feed], lambda: poller.settings, poller, rec.on_result, clock=clock,
                          on_dead=rec.on_dead, rng=random.Random(3))
    sched.start()
    try:
        delays = []
        for _ in range(4):
            await sched.run_feed("f")
            delays.append(delay_of(sched, "f", clock))
            clock.now += timedelta(seconds=delays[-1])
        assert delays == sorted(delays) and delays[-1] > 2 * delays[0]
        assert 540 <= delays[0] <= 660
        assert rec.dead == [("f", "HTTP 500")]
    finally:
        await sched.shutdown()


async def test_nothing_escapes_a_job(server: FeedServer, poller: Poller) -> None:
    server.route("/f.xml", body=RSS)
    feed = FeedSpec(id="f", url=server.url("/f.xml"))

    async def broken(feed: FeedSpec, result: PollResult) -> None:
        raise RuntimeError("pipeline bug")

    sched = FeedScheduler([feed], lambda: poller.settings, poller, broken, clock=Clock())
    sched.start()
    try:
        result = await sched.run_feed("f")
        assert result is not None and result.status == "ok"
        assert sched.next_run("f") is not None  # still scheduled
    finally:
        await sched.shutdown()


async def test_jobs_fire_through_apscheduler(server: FeedServer, poller: Poller) -> None:
    server.route("/f.xml", body=RSS)
    feed = FeedSpec(id="f", url=server.url("/f.xml"))
    fired = asyncio.Event()

    async def on_result(feed: FeedSpec, result: PollResult) -> None:
        fired.set()

    sched = FeedScheduler([feed], lambda: poller.settings, poller, on_result)
    sched.start()
    try:
        assert sched._scheduler is not None
        sched._scheduler.modify_job(sched.job_id("f"), next_run_time=datetime.now(UTC))
        await asyncio.wait_for(fired.wait(), 10)
    finally:
        await sched.shutdown()


async def test_reschedule_adds_removes_and_retimes(server: FeedServer, poller: Poller) -> None:
    a = FeedSpec(id="a", url=server.url("/a.xml"))
    b = FeedSpec(id="b", url=server.url("/b.xml"))
    clock, rec = Clock(), Recorder()
    sched = FeedScheduler([a, b], lambda: poller.settings, poller, rec.on_result, clock=clock)
    sched.start()
    try:
        c = FeedSpec(id="c", url=server.url("/c.xml"))
        b2 = FeedSpec(id="b", url=server.url("/b2.xml"), interval=60)
        sched.reschedule([b2, c])
        assert sched.next_run("a") is None
        assert sched.next_run("c") is not None
        assert 0 <= delay_of(sched, "b", clock) <= 60
    finally:
        await sched.shutdown()


async def test_shutdown_lets_polls_in_flight_finish(server: FeedServer, poller: Poller) -> None:
    gate = asyncio.Event()
    server.route("/f.xml", body=RSS, gate=gate)
    feed = FeedSpec(id="f", url=server.url("/f.xml"))
    rec = Recorder()
    sched = FeedScheduler([feed], lambda: poller.settings, poller, rec.on_result, clock=Clock())
    sched.start()
    task = asyncio.create_task(sched.run_feed("f"))
    await server.wait_hits("/f.xml")
    closing = asyncio.create_task(sched.shutdown())
    await asyncio.sleep(0)
    assert not closing.done()
    gate.set()
    await closing
    assert task.done() and len(rec.results) == 1


async def test_backoff_survives_a_restart(server: FeedServer, poller: Poller) -> None:
    server.route("/f.xml", status=503)
    feed = FeedSpec(id="f", url=server.url("/f.xml"))
    clock, rec = Clock(), Recorder()
    for _ in range(3):  # three failures: the next poll is ~2400 s away
        await poller.poll(feed, now=clock.now)
    saved = await poller.schedule_state([feed])
    assert saved["f"] == clock.now + timedelta(seconds=2400)
    sched = FeedScheduler([feed], lambda: poller.settings, poller, rec.on_result, clock=clock)
    sched.start(resume=saved)
    try:
        assert delay_of(sched, "f", clock) == 2400  # not a fresh jittered start
    finally:
        await sched.shutdown()
    clock.now += timedelta(hours=1)  # the saved time has passed: a normal jittered start
    late = FeedScheduler([feed], lambda: poller.settings, poller, rec.on_result, clock=clock)
    late.start(resume=saved)
    try:
        assert 0 <= delay_of(late, "f", clock) <= 300
    finally:
        await late.shutdown()
