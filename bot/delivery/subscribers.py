"""Subscribers and their filters, stored in Redis.

A subscriber is a chat (private, group, supergroup or channel). Its settings
survive /stop and a 403: only `active` changes, so /start brings them back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import redis.asyncio as aioredis
from pydantic import BaseModel, ConfigDict, field_validator
from redis.exceptions import WatchError

from bot.store.keys import Keys
from bot.types import Alert, AlertKind

ChatType = Literal["private", "group", "supergroup", "channel"]
Mode = Literal["instant", "hourly", "daily"]
MODES: tuple[Mode, ...] = get_args(Mode)


class Subscriber(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    chat_id: int
    chat_type: ChatType = "private"
    language: str = "en"
    active: bool = True
    rules: frozenset[str] | None = None  # None: every rule
    countries: frozenset[str] | None = None  # None: the whole watch list
    mode: Mode = "instant"
    breaking_only: bool = False
    muted_until: datetime | None = None
    quiet_start: time | None = None  # local time; alerts wait until quiet_end
    quiet_end: time | None = None
    timezone: str = "UTC"
    thread_id: int | None = None  # forum topic in a supergroup
    deactivated_reason: str | None = None

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def is_group(self) -> bool:
        return self.chat_type != "private"

    def wants(self, alert: Alert) -> bool:
        """Does this subscriber's filter select the alert? (Not mute, quiet hours or mode.)"""
        if not self.active:
            return False
        if alert.kind is AlertKind.UPDATE and alert.news:
            # An update is for those who follow what is new, not the whole story.
            if not any(self._follows(rule, countries or alert.countries)
                       for rule, countries in alert.news.items()):
                return False
        elif not any(self._follows(rule, alert.countries) for rule in alert.rules):
            return False
        return not (self.breaking_only and not alert.breaking)

    def _follows(self, rule: str, countries: Iterable[str]) -> bool:
        return ((self.rules is None or rule in self.rules)
                and (self.countries is None or not self.countries.isdisjoint(countries)))

    def is_muted(self, now: datetime) -> bool:
        return self.muted_until is not None and now < self.muted_until

    def quiet_until(self, now: datetime) -> datetime | None:
        """When quiet hours are on at `now`, the UTC moment they end; else None."""
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return None
        local = now.astimezone(ZoneInfo(self.timezone))
        start, end, t = self.quiet_start, self.quiet_end, local.timetz().replace(tzinfo=None)
        inside = start <= t < end if start < end else (t >= start or t < end)
        if not inside:
            return None
        end_at = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        if end_at <= local:
            end_at += timedelta(days=1)
        return end_at.astimezone(UTC)


class SubscriberStore:
    """Redis-backed subscribers: one JSON value per chat, plus the set of active ids."""

    def __init__(self, redis: aioredis.Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    async def get(self, chat_id: int) -> Subscriber | None:
        raw = await self._redis.get(self._keys.subscriber(chat_id))
        return Subscriber.model_validate_json(raw) if raw else None

    async def save(self, sub: Subscriber) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._keys.subscriber(sub.chat_id), sub.model_dump_json())
            if sub.active:
                pipe.sadd(self._keys.subscribers(), sub.chat_id)
            else:
                pipe.srem(self._keys.subscribers(), sub.chat_id)
            await pipe.execute()

    async def update(
        self, chat_id: int, change: Callable[[Subscriber], Subscriber], *,
        default: Subscriber | None = None,
    ) -> Subscriber | None:
        """Apply `change` atomically (WATCH/MULTI): no lost update between two handlers."""
        key = self._keys.subscriber(chat_id)
        while True:
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    current = Subscriber.model_validate_json(raw) if raw else default
                    if current is None:
                        await pipe.unwatch()  # type: ignore[no-untyped-call]
                        return None
                    new = change(current)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(key, new.model_dump_json())
                    if new.active:
                        pipe.sadd(self._keys.subscribers(), chat_id)
                    else:
                        pipe.srem(self._keys.subscribers(), chat_id)
                    await pipe.execute()
                    return new
                except WatchError:
                    continue

    async def activate(self, chat_id: int, *, chat_type: ChatType, language: str) -> Subscriber:
        """/start: a new subscriber gets the defaults; a returning one its old settings."""
        fresh = Subscriber(chat_id=chat_id, chat_type=chat_type, language=language)
        sub = await self.update(
            chat_id,
            lambda s: s.model_copy(update={"active": True, "deactivated_reason": None,
                                           "chat_type": chat_type}),
            default=fresh,
        )
        assert sub is not None
        return sub

    async def deactivate(self, chat_id: int, reason: str) -> None:
        await self.update(
            chat_id, lambda s: s.model_copy(update={"active": False, "deactivated_reason": reason})
        )

    async def migrate(self, old_id: int, new_id: int) -> Subscriber | None:
        """A group became a supergroup: move its settings to the new chat id."""
        old_key, new_key = self._keys.subscriber(old_id), self._keys.subscriber(new_id)
        script = self._redis.register_script(_MIGRATE)
        raw = await script(keys=[old_key, new_key, self._keys.subscribers()],
                           args=[old_id, new_id])
        if not raw:
            return None
        sub = Subscriber.model_validate_json(raw).model_copy(
            update={"chat_id": new_id, "chat_type": "supergroup"})
        await self.save(sub)
        return sub

    async def active_ids(self) -> list[int]:
        return sorted(int(m) for m in await self._redis.smembers(self._keys.subscribers()))

    async def count(self) -> int:
        return int(await self._redis.scard(self._keys.subscribers()))

    async def iter_active(self, batch: int = 500) -> AsyncIterator[Subscriber]:
        ids = await self.active_ids()
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            raws = await self._redis.mget([self._keys.subscriber(c) for c in chunk])
            for raw in raws:
                if raw:
                    sub = Subscriber.model_validate_json(raw)
                    if sub.active:
                        yield sub

    async def matching(self, alert: Alert) -> list[Subscriber]:
        return [s async for s in self.iter_active() if s.wants(alert)]


# Move the value and the set membership in one step; the new id keeps the old settings.
_MIGRATE = """
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], raw) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return redis.call('GET', KEYS[2])
"""


def toggle(values: frozenset[str] | None, item: str, universe: Iterable[str]) -> frozenset[str]:
    """Flip one item of a filter; None means everything in `universe` is on."""
    current = frozenset(universe) if values is None else values
    return current - {item} if item in current else current | {item}
