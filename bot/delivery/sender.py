"""Deliver the outbox: fan each alert out to its chats, within Telegram's limits, exactly once.

The sender reads alerts from the outbox's consumer group, works out the chats
that want each one, and sends it with the real `telegram.Bot`. It paces every
send itself (PTB's AIORateLimiter pauses *every* chat on a 429 and has no
per-private-chat limit): an overall leaky bucket (aiolimiter) plus a next-send
time per chat. A 429 pauses only that chat, and its message is requeued; other
chats keep flowing. A chat that must wait long (a long 429, or network errors that
keep coming) is deferred: its (alert, chat) pairs go to a sorted set in Redis, the alert
is finished for the other chats and acknowledged, and a loop sends the chat's deferred
alerts, in outbox order, once its pause is over. Until then its newer alerts queue there too.

Each (alert, chat) is recorded in the outbox's delivery hash as soon as Telegram
accepts the message, and an alert is acknowledged only when every chat is done.
A crashed sender's alerts are reclaimed (XAUTOCLAIM) and go only to the chats
without a record. `ConsoleSink` consumes the same outbox and prints instead.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import functools
import logging
import os
import random
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import IO, TYPE_CHECKING

from aiolimiter import AsyncLimiter
from telegram import LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.config.settings import RateLimits, StorySettings, TelegramSettings
from bot.delivery.digest import DigestStore
from bot.delivery.outbox import Outbox, OutboxEntry
from bot.delivery.render import Rendered, render_alert
from bot.delivery.subscribers import SubscriberStore
from bot.ops.metrics import Metrics
from bot.types import Alert, AlertKind

if TYPE_CHECKING:
    from telegram import Bot

# PTB 22 warns on every read of RetryAfter.retry_after unless it may return a timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "1")

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
RuleTitle = Callable[[str, str], str]  # (rule id, language) → the rule's title


def _now() -> datetime:
    return datetime.now(UTC)


def default_consumer() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Pacer:
    """Telegram's limits, applied before each send: overall, per private chat, per group."""

    def __init__(self, limits: RateLimits) -> None:
        self._next: dict[str, float] = {}
        self.retune(limits)

    def interval(self, is_group: bool) -> float:
        return self._group if is_group else self._private

    def retune(self, limits: RateLimits) -> None:
        """Apply limits (also after a reload: the chats' next free slots are kept).

        Small buckets (a tenth of a second's worth) keep bursts short, so a server that
        measures per second never sees more than the limit."""
        per_tick = max(1.0, limits.overall / 10)
        self.overall = AsyncLimiter(per_tick, per_tick / limits.overall)
        self._private = 1.0 / limits.private
        self._group = 60.0 / limits.group

    def reserve(self, chat: str, is_group: bool) -> float:
        """Take the chat's next slot: 0 when taken, else the seconds until it is free."""
        now = time.monotonic()
        at = self._next.get(chat, 0.0)
        if at > now:
            return at - now
        self._next[chat] = now + self.interval(is_group)
        if len(self._next) > 50_000:  # forget chats that are long free again
            self._next = {c: t for c, t in self._next.items() if t > now}
        return 0.0

    def sent(self, chat: str, is_group: bool) -> None:
        """Restart the chat's interval now (no earlier slot is ever given back)."""
        self._next[chat] = max(self._next.get(chat, 0.0),
                               time.monotonic() + self.interval(is_group))

    @contextlib.contextmanager
    def sending(self, chat: str, is_group: bool) -> Iterator[None]:
        """Around one request: the interval counts from its start and again from its end.

        Telegram counts from when the request reaches it, somewhere in between; counting
        from the end too means network jitter can never make two sends look closer."""
        self.sent(chat, is_group)
        try:
            yield
        finally:
            self.sent(chat, is_group)

    async def wait_turn(self, chat: str, is_group: bool) -> None:
        """Wait for the chat's next slot, then for the overall limit."""
        while True:
            wait = self.reserve(chat, is_group)
            if wait <= 0:
                break
            await asyncio.sleep(wait)  # the slot is a time, not an event: nothing to wait on
        await self.overall.acquire()

    def pause(self, chat: str, seconds: float) -> None:
        self._next[chat] = max(self._next.get(chat, 0.0), time.monotonic() + seconds)


@dataclass(frozen=True, slots=True)
class Target:
    """A chat that gets an alert: a subscriber's chat or a configured channel."""

    chat: int | str
    language: str = "en"
    thread_id: int | None = None
    is_group: bool = False
    subscriber: bool = True
    breaking_only: bool = False

    @property
    def key(self) -> str:
        return str(self.chat)


@dataclass(slots=True)
class _Job:
    alert: Alert
    target: Target
    rendered: Rendered
    attempt: int = 0
    plain: bool = False
    edit_claimed: bool = False
    reply: bool = True
    seq: tuple[int, int] = (0, 0)  # the alert's outbox entry id: the chat's delivery order


@dataclass(frozen=True, slots=True)
class _Retry:
    """Try `job` again after `delay` seconds."""

    job: _Job
    delay: float


@dataclass(slots=True)
class _Fanout:
    queue: asyncio.Queue[_Job] = field(default_factory=asyncio.Queue)
    remaining: int = 0
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    timers: set[asyncio.TimerHandle] = field(default_factory=set)

    def done(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.finished.set()

    def later(self, job: _Job, delay: float) -> None:
        if delay <= 0:
            self.queue.put_nowait(job)
            return
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def fire() -> None:
            self.timers.discard(handle)
            self.queue.put_nowait(job)

        handle = loop.call_later(delay, fire)
        self.timers.add(handle)


def position(seq: tuple[int, int]) -> float:
    """An outbox position as one sortable number (a deferred alert's score)."""
    return seq[0] * 1000.0 + seq[1]


def entry_seq(entry_id: str) -> tuple[int, int]:
    """A stream entry id ("1700000000000-3") as a sortable pair."""
    ms, _, n = entry_id.partition("-")
    try:
        return int(ms), int(n or 0)
    except ValueError:
        return 0, 0


class ChatOrder:
    """Each chat gets its alerts in outbox order, even when retries reshuffle the jobs
    (after an outage every job retries on its own jittered timer). A job that is not its
    chat's oldest waits, parked, until the older ones are done; then it is woken."""

    def __init__(self) -> None:
        self._waiting: dict[str, list[tuple[int, int]]] = {}  # chat → seqs, sorted
        self._parked: dict[tuple[str, tuple[int, int]], Callable[[], None]] = {}

    def enter(self, chat: str, seq: tuple[int, int]) -> None:
        queue = self._waiting.setdefault(chat, [])
        if seq not in queue:
            bisect.insort(queue, seq)

    def ready(self, chat: str, seq: tuple[int, int], wake: Callable[[], None]) -> bool:
        """True when the job may send now; else `wake()` is called when it may."""
        queue = self._waiting.get(chat)
        if not queue or queue[0] == seq or seq not in queue:
            return True
        self._parked[(chat, seq)] = wake
        return False

    def leave(self, chat: str, seq: tuple[int, int]) -> None:
        self._parked.pop((chat, seq), None)
        queue = self._waiting.get(chat)
        if queue is None or seq not in queue:
            return
        queue.remove(seq)
        if not queue:
            del self._waiting[chat]
            return
        wake = self._parked.pop((chat, queue[0]), None)
        if wake is not None:
            wake()


class OutboxConsumer:
    """The consumer-group loop shared by the Telegram sender and the console sink."""

    def __init__(self, outbox: Outbox, *, consumer: str | None = None, claim_idle: float = 60.0,
                 max_in_flight: int = 8, clock: Clock = _now,
                 metrics: Metrics | None = None) -> None:
        self.outbox = outbox
        self.metrics = metrics
        self.consumer = consumer or default_consumer()
        self.claim_idle = claim_idle
        self.max_in_flight = max_in_flight
        self.clock = clock
        self._stopping = asyncio.Event()
        self._stopped = asyncio.Event()
        self._stopped.set()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._story_tails: dict[str, asyncio.Task[None]] = {}  # each story's latest alert

    async def handle(self, entry: OutboxEntry) -> bool:
        """Deliver one alert; True when every chat is done (then it is acknowledged)."""
        raise NotImplementedError

    def _count_sent(self, channel: str, alert: Alert) -> None:
        if self.metrics is None:
            return
        self.metrics.alerts_sent.labels(channel=channel, kind=alert.kind.value).inc()
        if alert.kind is not AlertKind.SOURCES:  # an edit of an old message is not latency
            self.metrics.observe_delivery(alert.published)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def _process(self, entry: OutboxEntry,
                       after: asyncio.Task[None] | None = None) -> None:
        if after is not None:
            # One story's alerts go out in order: the NEW message must exist (and be
            # recorded) before its UPDATE replies to it or a SOURCES alert edits it.
            await asyncio.wait({after})
        try:
            if entry.alert is None:
                log.warning("outbox entry without its alert (expired?)",
                            extra={"alert": entry.alert_id})
                await self.outbox.ack(entry.entry_id)
                return
            if await self.handle(entry):
                await self.outbox.ack(entry.entry_id)
                await self.outbox.log_sent(entry.alert_id, self.clock())
        except Exception:  # one bad alert must not stop the others; it stays pending
            log.exception("delivery failed; the alert stays pending",
                          extra={"alert": entry.alert_id})

    def _spawn(self, entries: list[OutboxEntry]) -> None:
        for entry in entries:
            if entry.entry_id in self._tasks:
                continue
            story = entry.alert.story_id if entry.alert is not None else ""
            before = self._story_tails.get(story) if story else None
            task = asyncio.create_task(self._process(entry, before),
                                       name=f"alert:{entry.alert_id}")
            self._tasks[entry.entry_id] = task
            if story:
                self._story_tails[story] = task
            task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        for entry_id, t in list(self._tasks.items()):
            if t is task:
                del self._tasks[entry_id]
        for story, t in list(self._story_tails.items()):
            if t is task:
                del self._story_tails[story]

    async def _heartbeat(self) -> None:
        """Keep in-flight entries fresh so that other senders don't reclaim them."""
        while not self._stopping.is_set():
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self.claim_idle / 3)
            except TimeoutError:
                try:
                    await self.outbox.touch(self.consumer, list(self._tasks))
                except Exception:
                    log.warning("heartbeat failed", exc_info=True)

    async def run(self) -> None:
        """Consume until `stop()`: own pending first, then reclaimed and new alerts."""
        self._stopped.clear()  # (a stop() that came first still counts: run returns at once)
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            await self.outbox.ensure_group()
            self._spawn(await self.outbox.own_pending(self.consumer))
            last_reclaim = 0.0
            while not self._stopping.is_set():
                try:
                    if time.monotonic() - last_reclaim > self.claim_idle / 2:
                        last_reclaim = time.monotonic()
                        self._spawn(await self.outbox.reclaim(self.consumer,
                                                              min_idle=self.claim_idle))
                    free = self.max_in_flight - len(self._tasks)
                    if free <= 0:
                        await asyncio.wait(list(self._tasks.values()), timeout=1.0,
                                           return_when=asyncio.FIRST_COMPLETED)
                        continue
                    self._spawn(await self.outbox.read(self.consumer, count=free,
                                                       block_ms=1000))
                except asyncio.CancelledError:
                    raise
                except Exception:  # Redis hiccup: the client retries; pause and go on
                    log.exception("outbox read failed")
                    await asyncio.sleep(1.0)
            if self._tasks:
                await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            await self._release()
        finally:
            self._stopping.set()
            heartbeat.cancel()
            self._stopped.set()

    async def _release(self) -> None:
        try:
            released = await self.outbox.release(self.consumer, idle=self.claim_idle * 10)
        except Exception:  # then they are reclaimed after claim_idle, as after a crash
            log.warning("could not release unfinished alerts", exc_info=True)
            return
        if released:
            log.info("unfinished alerts left for the next sender", extra={"alerts": released})

    async def stop(self) -> None:
        """Finish in-flight sends; whatever is not done stays pending for the next start."""
        self._stopping.set()
        await self._stopped.wait()

    async def drain(self) -> int:
        """Deliver everything now in the outbox, then return the number of alerts handled."""
        await self.outbox.ensure_group()
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            handled = 0
            entries = await self.outbox.own_pending(self.consumer)
            entries += await self.outbox.reclaim(self.consumer, min_idle=self.claim_idle)
            seen: set[str] = set()
            while True:
                batch = [e for e in entries if e.entry_id not in seen]
                if not batch:
                    batch = await self.outbox.read(self.consumer, count=self.max_in_flight)
                    if not batch:
                        return handled
                seen.update(e.entry_id for e in batch)
                self._spawn(batch)  # tracked, so the heartbeat keeps them claimed
                await asyncio.gather(*(self._tasks[e.entry_id] for e in batch
                                       if e.entry_id in self._tasks))
                handled += len(batch)
                entries = []
        finally:
            heartbeat.cancel()


class Sender(OutboxConsumer):
    """Sends alerts to Telegram subscribers and channels through a real `telegram.Bot`."""

    def __init__(
        self, outbox: Outbox, bot: Bot, subscribers: SubscriberStore, *,
        telegram: TelegramSettings | None = None, stories: StorySettings | None = None,
        digests: DigestStore | None = None, rule_title: RuleTitle | None = None,
        consumer: str | None = None, claim_idle: float = 60.0, max_in_flight: int = 8,
        concurrency: int = 16, backoff: float = 0.5, max_backoff: float = 60.0,
        max_attempts: int = 8, clock: Clock = _now, metrics: Metrics | None = None,
        defer_after: float = 30.0, resume_every: float = 1.0,
    ) -> None:
        super().__init__(outbox, consumer=consumer, claim_idle=claim_idle,
                         max_in_flight=max_in_flight, clock=clock, metrics=metrics)
        self.bot = bot
        self.subscribers = subscribers
        self.telegram = telegram or TelegramSettings()
        self.stories = stories or StorySettings()
        self.digests = digests or DigestStore(outbox)
        self.rule_title = rule_title
        self.pacer = Pacer(self.telegram.rate_limits)
        self.order = ChatOrder()
        self.concurrency = concurrency
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_attempts = max_attempts
        # A chat that must wait longer than `defer_after` s is parked in Redis, so its
        # alerts don't hold the `max_in_flight` slots every other chat needs: a long 429, or
        # a chat that keeps failing (the backoff passes 30 s after ~7 network errors in a
        # row; a short outage of the whole API still just retries, the alerts stay pending).
        # Due chats are resumed every `resume_every` s.
        self.defer_after = defer_after
        self.resume_every = resume_every
        self._deferred: set[str] = set()  # chats this sender parked, until they catch up

    # -- who gets what ------------------------------------------------------------------
    async def targets(self, alert: Alert, done: dict[str, str]) -> list[Target]:
        """The chats still due to get `alert` now; digest, held and muted chats are recorded."""
        now = self.clock()
        out: list[Target] = []
        records: dict[str, str] = {}
        for sub in await self.subscribers.matching(alert):
            key = str(sub.chat_id)
            if key in done:
                continue
            target = Target(sub.chat_id, sub.language, sub.thread_id, sub.is_group,
                            breaking_only=sub.breaking_only)
            if alert.kind is AlertKind.SOURCES:
                if sub.mode == "instant":  # an edit is silent: it may happen in quiet hours
                    out.append(target)
                continue
            if sub.is_muted(now):
                records[key] = "muted"
            elif sub.mode != "instant":
                await self.digests.add(sub.chat_id, alert, now)
                records[key] = "digest"
            elif sub.quiet_until(now) is not None:
                await self.digests.add(sub.chat_id, alert, now)  # sent when quiet hours end
                records[key] = "held"
            else:
                out.append(target)
        await self.outbox.record_deliveries(alert.id, records)
        for channel in self.telegram.channels:
            if str(channel) not in done:
                out.append(Target(channel, "en", None, True, subscriber=False))
        return out

    def render(self, alert: Alert, language: str) -> Rendered:
        title = self.rule_title(alert.rule, language) if self.rule_title else None
        return render_alert(alert, language=language, rule_title=title)

    # -- one alert -----------------------------------------------------------------------
    async def handle(self, entry: OutboxEntry) -> bool:
        alert = entry.alert
        assert alert is not None
        done = await self.outbox.deliveries(alert.id)
        targets = await self.targets(alert, done)
        if not targets:
            return True
        seq = entry_seq(entry.entry_id)
        behind = await self.outbox.deferred_chats([t.key for t in targets])
        for t in targets:
            if t.key in behind:  # the chat has older deferred alerts: keep its order
                await self.outbox.defer(t.chat, alert.id, position(seq), None)
        targets = [t for t in targets if t.key not in behind]
        if not targets:
            return True
        rendered: dict[str, Rendered] = {}
        jobs = []
        for t in targets:
            if t.language not in rendered:
                rendered[t.language] = self.render(alert, t.language)
            jobs.append(_Job(alert, t, rendered[t.language], seq=seq))
            self.order.enter(t.key, jobs[-1].seq)
        log.info("delivering alert", extra={"alert": alert.id, "kind": alert.kind.value,
                                            "chats": len(jobs)})
        return await self._fanout(jobs)

    async def _fanout(self, jobs: list[_Job]) -> bool:
        fan = _Fanout(remaining=len(jobs))
        for job in jobs:
            fan.queue.put_nowait(job)
        workers = [asyncio.create_task(self._worker(fan))
                   for _ in range(min(self.concurrency, len(jobs)))]
        stop = asyncio.create_task(self._stopping.wait())
        finished = asyncio.create_task(fan.finished.wait())
        try:
            await asyncio.wait([stop, finished], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for timer in fan.timers:
                timer.cancel()
            stop.cancel()
            finished.cancel()
            # Workers finish the send they are in (never cut a request mid-way), then stop.
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            for job in jobs:  # done, or stopped: either way younger alerts may go now
                self.order.leave(job.target.key, job.seq)
        return fan.remaining <= 0

    async def _worker(self, fan: _Fanout) -> None:
        while True:
            job = await fan.queue.get()
            if self._stopping.is_set():
                return
            if not self.order.ready(job.target.key, job.seq,
                                    functools.partial(fan.later, job, 0)):
                continue
            wait = self.pacer.reserve(job.target.key, job.target.is_group)
            if wait > 0:
                fan.later(job, wait)
                continue
            await self.pacer.overall.acquire()
            if self._stopping.is_set():
                return
            # A cancellation (stop) must not cut a send in half: shield the attempt.
            attempt = asyncio.ensure_future(self._attempt(job, fan))
            try:
                await asyncio.shield(attempt)
            except asyncio.CancelledError:
                await attempt
                raise

    async def _attempt(self, job: _Job, fan: _Fanout) -> None:
        if job.target.key in self._deferred:  # an older alert was parked: queue behind it
            await self.outbox.defer(job.target.chat, job.alert.id, position(job.seq), None)
            self.order.leave(job.target.key, job.seq)
            fan.done()
            return
        with self.pacer.sending(job.target.key, job.target.is_group):
            outcome = await self._send(job)
        if outcome is not None and self._too_slow(outcome):
            self._deferred.add(job.target.key)
            # Written before the alert can be acknowledged: the chat's copy is never lost.
            await self.outbox.defer(job.target.chat, job.alert.id, position(job.seq),
                                    self.clock() + timedelta(seconds=outcome.delay))
            log.warning("chat deferred: its alerts wait in Redis, other chats go on",
                        extra={"chat": job.target.chat, "alert": job.alert.id,
                               "delay": round(outcome.delay, 2)})
            outcome = None
        if outcome is None:
            self.order.leave(job.target.key, job.seq)
            fan.done()
        else:  # retry this job (or its successor) later; never dropped
            fan.later(outcome.job, outcome.delay)

    def _too_slow(self, retry: _Retry) -> bool:
        return retry.delay > self.defer_after

    async def _send(self, job: _Job) -> _Retry | None:
        """One try; None when the chat is done, else what to retry and when."""
        alert, target = job.alert, job.target
        try:
            value = await self._call(job)
        except RetryAfter as exc:
            seconds = min(retry_seconds(exc), self.telegram.max_retry_after)
            self.pacer.pause(target.key, seconds)
            if self.metrics is not None:
                self.metrics.telegram_429.inc()
            log.warning("429 from Telegram: chat paused, message requeued",
                        extra={"chat": target.chat, "retry_after": seconds, "alert": alert.id})
            return _Retry(job, seconds)
        except Forbidden as exc:
            log.info("chat refuses the bot: deactivated",
                     extra={"chat": target.chat, "reason": exc.message})
            await self.outbox.record_delivery(alert.id, target.chat, "forbidden")
            if target.subscriber and isinstance(target.chat, int):
                await self.subscribers.deactivate(target.chat, exc.message)
            return None
        except ChatMigrated as exc:
            new_id = int(exc.new_chat_id)
            log.info("group migrated to a supergroup", extra={"chat": target.chat,
                                                              "new_chat": new_id})
            await self.outbox.record_delivery(alert.id, target.chat, f"migrated:{new_id}")
            if target.subscriber and isinstance(target.chat, int):
                await self.subscribers.migrate(target.chat, new_id)
            else:
                log.error("configured channel moved: update telegram.channels",
                          extra={"chat": target.chat, "new_chat": new_id})
            if str(new_id) in await self.outbox.deliveries(alert.id):
                return None
            moved = replace(job, target=replace(target, chat=new_id), attempt=0)
            return _Retry(moved, 0.0)
        except BadRequest as exc:
            return await self._bad_request(job, exc)
        except NetworkError as exc:  # includes TimedOut and 5xx (BadRequest handled above)
            return await self._failed(job, exc)
        except TelegramError as exc:
            return await self._failed(job, exc)
        if value is not None:
            await self.outbox.record_delivery(alert.id, target.chat, value)
            if isinstance(value, int):  # a message id: Telegram took it (not a skip status)
                self._count_sent("telegram", alert)
        return None

    async def _failed(self, job: _Job, exc: TelegramError) -> _Retry | None:
        attempt = job.attempt + 1
        transient = isinstance(exc, NetworkError)
        if not transient and attempt >= self.max_attempts:
            log.error("delivery failed for good", extra={
                "chat": job.target.chat, "alert": job.alert.id, "error": str(exc)})
            await self.outbox.record_delivery(job.alert.id, job.target.chat,
                                              f"failed: {exc}"[:200])
            return None
        delay = min(self.backoff * 2 ** (attempt - 1), self.max_backoff)
        delay *= 0.5 + random.random() / 2  # jitter, so chats don't retry in lockstep
        log.warning("send failed, retrying", extra={
            "chat": job.target.chat, "alert": job.alert.id, "attempt": attempt,
            "delay": round(delay, 2), "error": str(exc)})
        return _Retry(replace(job, attempt=attempt), delay)

    async def _bad_request(self, job: _Job, exc: BadRequest) -> _Retry | None:
        message = exc.message.lower()
        alert, target = job.alert, job.target
        if "can't parse entities" in message and not job.plain:
            log.error("TELEGRAM REJECTED OUR HTML: falling back to plain text for this message",
                      extra={"chat": target.chat, "alert": alert.id, "error": exc.message})
            return _Retry(replace(job, plain=True), 0.0)
        if "not modified" in message:
            mid = await self.outbox.story_message(alert.story_id, target.chat)
            await self.outbox.record_delivery(alert.id, target.chat, mid or "unchanged")
            return None
        if "replied message not found" in message or "message to be replied" in message:
            return _Retry(replace(job, reply=False), 0.0)
        if "message to edit not found" in message or "can't be edited" in message:
            await self.outbox.record_delivery(alert.id, target.chat, "edit-gone")
            return None
        if "too long" in message and not job.plain:
            log.error("message too long after rendering: sending the plain form",
                      extra={"chat": target.chat, "alert": alert.id})
            return _Retry(replace(job, plain=True), 0.0)
        log.error("Telegram refused the message", extra={
            "chat": target.chat, "alert": alert.id, "error": exc.message})
        await self.outbox.record_delivery(alert.id, target.chat,
                                          f"failed: {exc.message}"[:200])
        return None

    async def _call(self, job: _Job) -> int | str | None:
        """Send (or edit) once; returns what to record for the chat."""
        alert, target = job.alert, job.target
        text = job.rendered.text if job.plain else job.rendered.html
        mode = None if job.plain else ParseMode.HTML
        preview = (LinkPreviewOptions(url=alert.url)
                   if self.telegram.link_preview and alert.url
                   else LinkPreviewOptions(is_disabled=True))
        first_breaking = False
        if alert.kind is AlertKind.SOURCES:
            mid = await self.outbox.story_message(alert.story_id, target.chat)
            # A breaking-only chat first hears of a story when it turns breaking: send it.
            first_breaking = mid is None and alert.breaking and target.breaking_only
        if alert.kind is AlertKind.SOURCES and not first_breaking:
            if mid is None:
                return "no-original"  # the chat never got the story: nothing to edit
            if not job.edit_claimed:
                # The stories engine spaces SOURCES alerts; this guards against a doubled
                # one, with slack for the time they spent in the queue.
                if not await self.outbox.claim_edit(alert.story_id, target.chat, self.clock(),
                                                    self.stories.edit_interval / 2):
                    return "edit-throttled"
                job.edit_claimed = True
            await self.bot.edit_message_text(text, chat_id=target.chat, message_id=mid,
                                             parse_mode=mode, link_preview_options=preview)
            return mid
        reply = None
        if alert.kind is AlertKind.UPDATE and job.reply:
            mid = await self.outbox.story_message(alert.story_id, target.chat)
            if mid is not None:
                reply = ReplyParameters(message_id=mid, allow_sending_without_reply=True)
        msg: Message = await self.bot.send_message(
            target.chat, text, parse_mode=mode, link_preview_options=preview,
            reply_parameters=reply, message_thread_id=target.thread_id)
        if alert.kind is AlertKind.NEW or first_breaking:
            await self.outbox.remember_story_message(alert.story_id, target.chat,
                                                     msg.message_id)
        return msg.message_id

    async def drain(self) -> int:
        """`run --once`: deferred chats now due go first, then everything in the outbox.

        A chat deferred in this run keeps its alerts in Redis, in order, for the next run
        (`--once` or not): waiting out Telegram's pause here could take hours."""
        await self.resume_due()
        handled = await super().drain()
        waiting = await self.outbox.deferred_chat_count()
        if waiting:
            log.warning("alerts wait in Redis for chats that Telegram paused; the next run "
                        "sends them", extra={"chats": waiting})
        return handled

    # -- deferred chats --------------------------------------------------------------------
    async def run(self) -> None:
        resumer = asyncio.create_task(self._resume_loop(), name="deferred")
        try:
            await super().run()
        finally:
            self._stopping.set()
            await asyncio.gather(resumer, return_exceptions=True)

    async def _resume_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.resume_due()
            except Exception:  # Redis hiccup: the chats stay due; try again next round
                log.exception("resuming deferred chats failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.resume_every)

    async def resume_due(self) -> int:
        """Send the deferred alerts of every chat now due, in order; the chats resumed."""
        chats = await self.outbox.claim_due_chats(self.clock(), lease=self.claim_idle)
        if chats:
            await asyncio.gather(*(self._resume_chat(c) for c in chats))
        return len(chats)

    async def _resume_target(self, chat: str) -> Target | None:
        for channel in self.telegram.channels:
            if str(channel) == chat:
                return Target(channel, "en", None, True, subscriber=False)
        try:
            sub = await self.subscribers.get(int(chat))
        except ValueError:
            return None
        if sub is None or not sub.active:
            return None
        return Target(sub.chat_id, sub.language, sub.thread_id, sub.is_group,
                      breaking_only=sub.breaking_only)

    async def _resume_chat(self, chat: str) -> None:
        target = await self._resume_target(chat)
        while not self._stopping.is_set():
            pending = await self.outbox.deferred_alerts(chat)
            if not pending:
                if await self.outbox.resume_done(chat):
                    self._deferred.discard(chat)
                    log.info("deferred chat caught up", extra={"chat": chat})
                    return
                continue  # a new alert was deferred meanwhile
            for alert_id, _ in pending:
                if self._stopping.is_set():
                    return  # still claimed; due again after the lease
                alert = await self.outbox.get_alert(alert_id)
                if (target is None or alert is None
                        or chat in await self.outbox.deliveries(alert_id)):
                    await self.outbox.undefer(chat, alert_id)  # gone, unsubscribed or done
                    continue
                job = _Job(alert, target, self.render(alert, target.language))
                delay = await self._resume_one(job)
                if delay is not None:  # still paused: try the chat again later, in order
                    await self.outbox.reschedule(chat, self.clock() + timedelta(seconds=delay))
                    return
                await self.outbox.undefer(chat, alert_id)

    async def _resume_one(self, job: _Job) -> float | None:
        """Send one deferred job, retrying short waits in place; the long wait, if any."""
        while not self._stopping.is_set():
            await self.pacer.wait_turn(job.target.key, job.target.is_group)
            if self._stopping.is_set():
                break
            with self.pacer.sending(job.target.key, job.target.is_group):
                outcome = await asyncio.shield(self._send(job))
            if outcome is None:
                return None
            if self._too_slow(outcome):
                return outcome.delay
            await asyncio.sleep(outcome.delay)
            job = outcome.job
        return 0.0

    # -- one message outside the outbox (digests) --------------------------------------------
    async def send_rendered(self, chat: int, rendered: Rendered, *, is_group: bool = False,
                            thread_id: int | None = None) -> int | None:
        """Send one message now, within the limits; the message id, or None if undeliverable.

        Retries 429s and network errors in place; 403 deactivates; a migration moves
        the subscriber and resends; invalid HTML falls back to plain text.
        """
        plain, attempt, target = False, 0, chat
        while not self._stopping.is_set():
            await self.pacer.wait_turn(str(target), is_group)
            if self._stopping.is_set():
                break
            try:
                with self.pacer.sending(str(target), is_group):
                    msg = await self.bot.send_message(
                        target, rendered.text if plain else rendered.html,
                        parse_mode=None if plain else ParseMode.HTML,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                        message_thread_id=thread_id)
                return msg.message_id
            except RetryAfter as exc:
                seconds = min(retry_seconds(exc), self.telegram.max_retry_after)
                self.pacer.pause(str(target), seconds)
                if self.metrics is not None:
                    self.metrics.telegram_429.inc()
            except Forbidden as exc:
                await self.subscribers.deactivate(target, exc.message)
                return None
            except ChatMigrated as exc:
                await self.subscribers.migrate(target, int(exc.new_chat_id))
                target = int(exc.new_chat_id)
            except BadRequest as exc:
                if plain:
                    log.error("Telegram refused a digest", extra={"chat": target,
                                                                  "error": exc.message})
                    return None
                log.error("TELEGRAM REJECTED OUR HTML: falling back to plain text",
                          extra={"chat": target, "error": exc.message})
                plain = True
            except TelegramError as exc:
                attempt += 1
                if attempt >= self.max_attempts:
                    log.error("digest send failed", extra={"chat": target, "error": str(exc)})
                    return None
                await asyncio.sleep(min(self.backoff * 2 ** (attempt - 1), self.max_backoff))
        return None


class ConsoleSink(OutboxConsumer):
    """Without a Telegram token: print each alert's plain rendering, once."""

    CHAT = "console"

    def __init__(self, outbox: Outbox, *, stream: IO[str] | None = None, language: str = "en",
                 rule_title: RuleTitle | None = None, consumer: str | None = None,
                 claim_idle: float = 60.0, clock: Clock = _now,
                 metrics: Metrics | None = None) -> None:
        # One at a time: a console reader expects alerts in the order they were queued.
        super().__init__(outbox, consumer=consumer, claim_idle=claim_idle, max_in_flight=1,
                         clock=clock, metrics=metrics)
        self.stream = stream
        self.language = language
        self.rule_title = rule_title

    def _write(self, text: str) -> None:
        out = self.stream or sys.stdout
        out.write(text + "\n" + "─" * 40 + "\n")
        out.flush()

    async def handle(self, entry: OutboxEntry) -> bool:
        alert = entry.alert
        assert alert is not None
        if self.CHAT in await self.outbox.deliveries(alert.id):
            return True
        if alert.kind is AlertKind.SOURCES:
            self._write(f"[{alert.story_id}] {alert.title}: also reported by "
                        + ", ".join(alert.sources))
        else:
            title = self.rule_title(alert.rule, self.language) if self.rule_title else None
            self._write(render_alert(alert, language=self.language, rule_title=title).text)
        await self.outbox.record_delivery(alert.id, self.CHAT, "printed")
        self._count_sent("console", alert)
        return True

    async def send_rendered(self, chat: int, rendered: Rendered, *, is_group: bool = False,
                            thread_id: int | None = None) -> int | None:
        self._write(f"[digest for {chat}]\n{rendered.text}")
        return 0

