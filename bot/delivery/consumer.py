"""The outbox's consumer-group loop, shared by the Telegram sender and the console sink.

A consumer reads alerts from the outbox's consumer group and hands each one to
`handle`, a few at a time; an alert is acknowledged only when `handle` says every
chat is done. One story's alerts go out in order. A heartbeat keeps in-flight entries
claimed; a crashed consumer's alerts are reclaimed (XAUTOCLAIM) by another, and a
stopping one releases what it did not finish, so the next start picks it up at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time

from bot.delivery.outbox import Outbox, OutboxEntry
from bot.ops.metrics import Metrics
from bot.times import Clock, utc_now
from bot.types import Alert, AlertKind

log = logging.getLogger(__name__)




def default_consumer() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class OutboxConsumer:
    """The consumer-group loop shared by the Telegram sender and the console sink."""

    def __init__(self, outbox: Outbox, *, consumer: str | None = None, claim_idle: float = 60.0,
                 max_in_flight: int = 8, clock: Clock = utc_now,
                 metrics: Metrics | None = None) -> None:
        self.outbox = outbox
        self.metrics = metrics
        self.consumer = consumer or default_consumer()
        self.claim_idle = claim_idle
        self.max_in_flight = max_in_flight
        self.clock = clock
        self.stop_requested = asyncio.Event()
        self._stopped = asyncio.Event()
        self._stopped.set()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._story_tails: dict[str, asyncio.Task[None]] = {}  # each story's latest alert

    async def handle(self, entry: OutboxEntry) -> bool:
        """Deliver one alert; True when every chat is done (then it is acknowledged)."""
        raise NotImplementedError

    def count_sent(self, channel: str, alert: Alert) -> None:
        if self.metrics is None:
            return
        self.metrics.alerts_sent.labels(channel=channel, kind=alert.kind.value).inc()
        if alert.kind is not AlertKind.SOURCES:  # an edit of an old message is not latency
            self.metrics.observe_delivery(alert.published)

    @property
    def stopping(self) -> bool:
        return self.stop_requested.is_set()

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
        while not self.stop_requested.is_set():
            try:
                await asyncio.wait_for(self.stop_requested.wait(), timeout=self.claim_idle / 3)
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
            while not self.stop_requested.is_set():
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
            self.stop_requested.set()
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
        self.stop_requested.set()
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
