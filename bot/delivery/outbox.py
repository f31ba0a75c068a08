"""The outbox: a Redis Stream with one consumer group of senders.

`publish` is idempotent by alert id: the alert is stored with SET NX and added to
the stream in the same Lua script, so a republish never enqueues twice and a
crash cannot leave an alert stored but not enqueued. A sender acknowledges an
entry only when every chat is done; the entry is then deleted, so the stream's
length is the outbox depth (pending + not yet read).

Delivery records (`Keys.delivery(alert_id)`: chat → message id or final status)
make delivery idempotent across crashes: a reclaimed alert goes only to the
chats that have no record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from bot.store.keys import Keys
from bot.store.redis import text
from bot.types import Alert, decode_alert, encode_alert

log = logging.getLogger(__name__)

GROUP = "senders"
ALERT_TTL = 7 * 86400  # long enough for a daily digest and a late reclaim
LOG_WINDOW = 86400

# SET NX and XADD in one step: both happen, or neither.
_PUBLISH = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  return redis.call('XADD', KEYS[2], '*', 'alert', ARGV[3])
end
return false
"""


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One stream entry as a sender sees it. `alert` is None when its record expired."""

    entry_id: str
    alert_id: str
    alert: Alert | None


def _stream_rows(reply: Any) -> list[Any]:
    """The entries of a one-stream XREADGROUP reply (RESP2 list or RESP3 map)."""
    if not reply:
        return []
    if isinstance(reply, dict):
        (value,) = reply.values()
        return list(value[0]) if value and isinstance(value[0], list) else list(value)
    return list(reply[0][1])


class Outbox:
    def __init__(self, redis: aioredis.Redis, keys: Keys, *, group: str = GROUP,
                 alert_ttl: int = ALERT_TTL,
                 story_ttl: Callable[[], int] = lambda: 3 * 86400) -> None:
        self._redis = redis
        self._keys = keys
        self._group = group
        self._alert_ttl = alert_ttl
        self._story_ttl = story_ttl
        self._publish = redis.register_script(_PUBLISH)
        self._defer = redis.register_script(_DEFER)
        self._claim_due = redis.register_script(_CLAIM_DUE)
        self._finish = redis.register_script(_RESUME_DONE)
        self._group_ready = False

    @property
    def redis(self) -> aioredis.Redis:
        return self._redis

    @property
    def keys(self) -> Keys:
        return self._keys

    async def ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._redis.xgroup_create(self._keys.outbox(), self._group, id="0",
                                            mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    # -- producers ---------------------------------------------------------------------
    async def publish(self, alert: Alert) -> str:
        """Enqueue `alert` once; returns its stream entry id, or "" if already published."""
        await self.ensure_group()
        entry = await self._publish(
            keys=[self._keys.alert(alert.id), self._keys.outbox()],
            args=[encode_alert(alert), self._alert_ttl, alert.id])
        if not entry:
            log.debug("alert already published", extra={"alert": alert.id})
            return ""
        return text(entry)

    async def get_alert(self, alert_id: str) -> Alert | None:
        raw = await self._redis.get(self._keys.alert(alert_id))
        return decode_alert(raw) if raw else None

    async def get_alerts(self, alert_ids: list[str]) -> dict[str, Alert]:
        if not alert_ids:
            return {}
        raws = await self._redis.mget([self._keys.alert(a) for a in alert_ids])
        return {a: decode_alert(r) for a, r in zip(alert_ids, raws, strict=True) if r}

    # -- consumers ---------------------------------------------------------------------
    async def _entries(self, rows: list[Any]) -> list[OutboxEntry]:
        pairs: list[tuple[str, str]] = []
        for entry_id, fields in rows:
            if not fields:  # deleted while pending
                pairs.append((text(entry_id), ""))
                continue
            value = fields.get(b"alert", fields.get("alert", b""))
            pairs.append((text(entry_id), text(value)))
        alerts = await self.get_alerts([a for _, a in pairs if a])
        return [OutboxEntry(e, a, alerts.get(a)) for e, a in pairs]

    async def read(self, consumer: str, *, count: int = 16,
                   block_ms: int | None = None) -> list[OutboxEntry]:
        """New entries for `consumer` (XREADGROUP >); waits up to `block_ms` when given."""
        await self.ensure_group()
        reply = await self._redis.xreadgroup(self._group, consumer, {self._keys.outbox(): ">"},
                                             count=count, block=block_ms)
        return await self._entries(_stream_rows(reply))

    async def own_pending(self, consumer: str, *, count: int = 100) -> list[OutboxEntry]:
        """Entries this consumer read but never acknowledged (after a restart by name)."""
        await self.ensure_group()
        reply = await self._redis.xreadgroup(self._group, consumer, {self._keys.outbox(): "0"},
                                             count=count)
        return await self._entries(_stream_rows(reply))

    async def reclaim(self, consumer: str, *, min_idle: float,
                      count: int = 100) -> list[OutboxEntry]:
        """Take over entries idle longer than `min_idle` seconds (a crashed sender's)."""
        await self.ensure_group()
        out: list[OutboxEntry] = []
        start = "0-0"
        while True:
            reply = await self._redis.xautoclaim(
                self._keys.outbox(), self._group, consumer, int(min_idle * 1000),
                start_id=start, count=count)
            start = text(reply[0])
            out += await self._entries(reply[1])
            if start == "0-0" or len(out) >= count:
                return out

    async def touch(self, consumer: str, entry_ids: list[str]) -> None:
        """Reset the idle time of entries still being worked on, so nobody reclaims them."""
        if entry_ids:
            ids: list[Any] = list(entry_ids)
            await self._redis.xclaim(self._keys.outbox(), self._group, consumer, 0, ids,
                                     justid=True)

    async def release(self, consumer: str, *, idle: float, count: int = 1000) -> int:
        """On a clean stop: mark this consumer's unfinished entries idle for `idle` s, so
        that the next sender to start (any name, any host) reclaims them at once instead
        of after the crash timeout. Returns how many were released."""
        await self.ensure_group()
        rows = await self._redis.xpending_range(self._keys.outbox(), self._group, min="-",
                                                max="+", count=count, consumername=consumer)
        ids: list[Any] = [r["message_id"] for r in rows]
        if ids:
            await self._redis.xclaim(self._keys.outbox(), self._group, consumer, 0, ids,
                                     idle=int(idle * 1000), justid=True)
        return len(ids)

    async def ack(self, entry_id: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self._keys.outbox(), self._group, entry_id)
            pipe.xdel(self._keys.outbox(), entry_id)
            await pipe.execute()

    async def pending(self) -> int:
        """Alerts a sender has claimed but not finished (in flight, or a crashed sender's)."""
        await self.ensure_group()
        info = await self._redis.xpending(self._keys.outbox(), self._group)
        return int(info["pending"]) if info else 0

    async def depth(self) -> int:
        """Alerts not yet fully delivered: pending plus not yet read."""
        return int(await self._redis.xlen(self._keys.outbox()))

    # -- delivery records ---------------------------------------------------------------
    async def deliveries(self, alert_id: str) -> dict[str, str]:
        raw = await self._redis.hgetall(self._keys.delivery(alert_id))
        return {text(k): text(v) for k, v in raw.items()}

    async def record_delivery(self, alert_id: str, chat: int | str, value: int | str) -> None:
        """Record one chat's outcome. HSET and EXPIRE go in one round trip, so the hash
        always has a TTL, however the alert ends (an EXPIRE before the first HSET is a no-op)."""
        await self.record_deliveries(alert_id, {str(chat): str(value)})

    async def record_deliveries(self, alert_id: str, values: Mapping[str, str]) -> None:
        if not values:
            return
        key = self._keys.delivery(alert_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            mapping: dict[Any, Any] = dict(values)
            pipe.hset(key, mapping=mapping)
            pipe.expire(key, self._alert_ttl)
            await pipe.execute()

    # -- deferred chats (a long 429 or a chat that keeps failing) -----------------------
    async def defer(self, chat: int | str, alert_id: str, position: float,
                    due: datetime | None) -> None:
        """Park `alert_id` for `chat` until `due` (None: keep the chat's due time, or now).

        Written before the alert is acknowledged, so a crash in between loses nothing."""
        await self._defer(keys=[self._keys.deferred(chat), self._keys.deferred_due()],
                          args=[alert_id, repr(position), str(chat),
                                "" if due is None else due.timestamp(),
                                datetime.now(UTC).timestamp(), self._alert_ttl])

    async def deferred_chats(self, chats: list[str]) -> set[str]:
        """Those of `chats` that have deferred alerts (newer alerts must queue behind)."""
        if not chats:
            return set()
        scores = await self._redis.zmscore(self._keys.deferred_due(), chats)
        return {c for c, s in zip(chats, scores, strict=True) if s is not None}

    async def deferred_chat_count(self) -> int:
        return int(await self._redis.zcard(self._keys.deferred_due()))

    async def claim_due_chats(self, now: datetime, lease: float, count: int = 50) -> list[str]:
        """Chats whose deferral is due, each pushed `lease` s ahead so one sender has it."""
        raw = await self._claim_due(keys=[self._keys.deferred_due()],
                                    args=[now.timestamp(), lease, count])
        return [text(c) for c in raw]

    async def deferred_alerts(self, chat: int | str) -> list[tuple[str, float]]:
        """The chat's deferred alert ids, oldest (outbox order) first."""
        rows: list[Any] = await self._redis.zrange(self._keys.deferred(chat), 0, -1,
                                                   withscores=True)
        return [(text(row[0]), float(row[1])) for row in rows]

    async def undefer(self, chat: int | str, alert_id: str) -> None:
        await self._redis.zrem(self._keys.deferred(chat), alert_id)

    async def reschedule(self, chat: int | str, due: datetime) -> None:
        await self._redis.zadd(self._keys.deferred_due(), {str(chat): due.timestamp()})

    async def resume_done(self, chat: int | str) -> bool:
        """Drop the chat from the due set if nothing is left; False if new work arrived."""
        return bool(await self._finish(keys=[self._keys.deferred(chat),
                                             self._keys.deferred_due()], args=[str(chat)]))

    # -- story messages (edits and replies) ----------------------------------------------
    async def remember_story_message(self, story_id: str, chat: int | str,
                                     message_id: int) -> None:
        """The first message of a story per chat: later edits and replies refer to it."""
        key = self._keys.story_messages(story_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hsetnx(key, str(chat), message_id)
            pipe.expire(key, self._story_ttl())
            await pipe.execute()

    async def story_message(self, story_id: str, chat: int | str) -> int | None:
        raw = await self._redis.hget(self._keys.story_messages(story_id), str(chat))
        return int(raw) if raw else None

    async def claim_edit(self, story_id: str, chat: int | str, now: datetime,
                         interval: float) -> bool:
        """May the story's message in `chat` be edited now? (One edit per `interval`.)"""
        key = self._keys.story_edits(story_id)
        script = self._redis.register_script(_CLAIM_EDIT)
        ok = await script(keys=[key], args=[str(chat), now.timestamp(), interval,
                                            self._story_ttl()])
        return bool(ok)

    # -- the log for /status --------------------------------------------------------------
    async def log_sent(self, alert_id: str, now: datetime) -> None:
        key = self._keys.alerts_log()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {alert_id: now.timestamp()})
            pipe.zremrangebyscore(key, "-inf", now.timestamp() - LOG_WINDOW)
            pipe.expire(key, 2 * LOG_WINDOW)
            await pipe.execute()

    async def sent_last_24h(self, now: datetime) -> int:
        return int(await self._redis.zcount(self._keys.alerts_log(),
                                            now.timestamp() - LOG_WINDOW, "+inf"))


# Check and set the last edit time in one step, so two senders cannot both edit.
_CLAIM_EDIT = """
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) - last < tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""


# Park an alert for a chat and mark the chat due (given time, or keep/now), in one step.
_DEFER = """
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[6])
if ARGV[4] ~= '' then
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
else
  redis.call('ZADD', KEYS[2], 'NX', ARGV[5], ARGV[3])
end
return 1
"""

# Take the due chats and push each one's time ahead by the lease: a crashed sender's
# chats come due again after it, and two senders never resume the same chat at once.
_CLAIM_DUE = """
local chats = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, chat in ipairs(chats) do
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), chat)
end
return chats
"""

_RESUME_DONE = """
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
"""
