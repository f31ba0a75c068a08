"""Digests: alerts collected per chat and sent as one grouped message per hour or day.

Subscribers in hourly/daily mode (and instant ones in quiet hours) get their alerts
added to `Keys.digest(chat)` by the sender. `run_digests(now)`, scheduled every few
minutes, sends each digest that is due. A digest period is claimed with SET NX, so
two runners never send the same one; each message part removes exactly the alerts
it carried once Telegram accepted it, so a crash resends at most one part.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.delivery.outbox import Outbox
from bot.delivery.render import Rendered, RuleTitle, render_digest
from bot.delivery.subscribers import Subscriber, SubscriberStore
from bot.store.redis import text
from bot.types import Alert

log = logging.getLogger(__name__)

DAILY_HOUR = 8  # a daily digest goes out at the first run after 08:00 local time
DIGEST_TTL = 8 * 86400
SLOT_TTL = 2 * 86400


class DigestSink(Protocol):
    async def send_rendered(self, chat: int, rendered: Rendered, *, is_group: bool = False,
                            thread_id: int | None = None) -> int | None: ...


class DigestStore:
    """The alerts waiting in each chat's digest (a sorted set of alert ids by time added)."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self._redis = outbox.redis
        self._keys = outbox.keys

    async def add(self, chat_id: int, alert: Alert, now: datetime) -> None:
        key = self._keys.digest(chat_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {alert.id: now.timestamp()}, nx=True)
            pipe.expire(key, DIGEST_TTL)
            await pipe.execute()

    async def items(self, chat_id: int, until: datetime) -> list[tuple[str, float]]:
        rows: list[Any] = await self._redis.zrangebyscore(
            self._keys.digest(chat_id), "-inf", until.timestamp(), withscores=True)
        return [(text(m), float(s)) for m, s in rows]

    async def remove(self, chat_id: int, alert_ids: list[str]) -> None:
        if alert_ids:
            await self._redis.zrem(self._keys.digest(chat_id), *alert_ids)

    async def sizes(self, chat_ids: list[int]) -> list[int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for c in chat_ids:
                pipe.zcard(self._keys.digest(c))
            return [int(n) for n in await pipe.execute()]

    async def claim_slot(self, chat_id: int, slot: str) -> bool:
        ok = await self._redis.set(self._keys.digest_slot(chat_id, slot), 1, nx=True,
                                   ex=SLOT_TTL)
        return bool(ok)


def digest_slot(sub: Subscriber, now: datetime) -> str | None:
    """The period whose digest is due for `sub` at `now`, or None when none is due."""
    if sub.is_muted(now) or sub.quiet_until(now) is not None:
        return None
    if sub.mode == "hourly":
        return now.strftime("h%Y%m%d%H")
    if sub.mode == "daily":
        local = now.astimezone(ZoneInfo(sub.timezone))
        return local.strftime("d%Y%m%d") if local.hour >= DAILY_HOUR else None
    return now.strftime("q%Y%m%d%H%M")  # instant, held during quiet hours: send now


class Digests:
    """Sends due digests through a sink (the Telegram sender or the console)."""

    def __init__(self, store: DigestStore, subscribers: SubscriberStore, sink: DigestSink, *,
                 rule_title: RuleTitle | None = None, concurrency: int = 32) -> None:
        self.store = store
        self.concurrency = concurrency
        self.subscribers = subscribers
        self.sink = sink
        self.rule_title = rule_title

    async def run_due(self) -> int:
        """`run_digests` at the current time: schedule this bound coroutine function itself
        (APScheduler runs a plain lambda that returns a coroutine in a thread, never awaited)."""
        return await self.run_digests(datetime.now(UTC))

    async def run_digests(self, now: datetime) -> int:
        """Send every digest due at `now`; returns the number of messages sent.

        Chats go concurrently (at most `concurrency` at once), so a chat that Telegram
        paused, or that keeps failing, delays only its own digest."""
        subs = [s async for s in self.subscribers.iter_active()]
        slots = asyncio.Semaphore(self.concurrency)
        tasks: list[asyncio.Task[int]] = []
        for i in range(0, len(subs), 500):
            chunk = subs[i: i + 500]
            for sub, size in zip(chunk, await self.store.sizes([s.chat_id for s in chunk]),
                                 strict=True):
                if not size:
                    continue
                slot = digest_slot(sub, now)
                if slot is None or not await self.store.claim_slot(sub.chat_id, slot):
                    continue
                tasks.append(asyncio.create_task(self._one(sub, now, slots)))
        return sum(await asyncio.gather(*tasks))

    async def _one(self, sub: Subscriber, now: datetime, slots: asyncio.Semaphore) -> int:
        async with slots:
            try:
                return await self.send_digest(sub, now)
            except Exception:  # one chat's failure must not stop the others
                log.exception("digest failed", extra={"chat": sub.chat_id})
                return 0

    async def send_digest(self, sub: Subscriber, now: datetime) -> int:
        items = await self.store.items(sub.chat_id, now)
        ids = [a for a, _ in items]
        alerts = await self.store.outbox.get_alerts(ids)
        gone = [a for a in ids if a not in alerts]
        # One line per story: its latest alert (an update supersedes the first report).
        latest: dict[str, Alert] = {}
        by_story: dict[str, list[str]] = {}
        for alert_id in ids:
            alert = alerts.get(alert_id)
            if alert is not None:
                latest[alert.story_id] = alert
                by_story.setdefault(alert.story_id, []).append(alert_id)
        shown = sorted(latest.values(), key=lambda a: ids.index(a.id))
        titles = ({a.rule: self.rule_title(a.rule, sub.language) for a in shown}
                  if self.rule_title else None)
        mode = sub.mode if sub.mode != "instant" else ""
        parts = render_digest(shown, language=sub.language, mode=mode, rule_titles=titles)
        await self.store.remove(sub.chat_id, gone)
        sent = 0
        for part in parts:
            mid = await self.sink.send_rendered(sub.chat_id, part, is_group=sub.is_group,
                                                thread_id=sub.thread_id)
            if mid is None:
                log.warning("digest not delivered; kept for the next period",
                            extra={"chat": sub.chat_id})
                break
            done = [x for a in part.alert_ids for x in by_story.get(alerts[a].story_id, [a])]
            await self.store.remove(sub.chat_id, done)
            sent += 1
        log.info("digest sent", extra={"chat": sub.chat_id, "parts": sent,
                                       "stories": len(shown)})
        return sent
