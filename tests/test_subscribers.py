from datetime import UTC, datetime, time, timedelta

import redis.asyncio as aioredis

from bot.delivery.subscribers import Subscriber, SubscriberStore, toggle
from bot.store.keys import Keys
from bot.types import Alert, AlertKind
from detectors.types import Severity


def _alert(**kw: object) -> Alert:
    base: dict[str, object] = dict(
        id="a1", kind=AlertKind.NEW, story_id="s1", rule="mass-detention", countries=("KZ",),
        severity=Severity.HIGH, title="t", summary="s",
    )
    base.update(kw)
    return Alert(**base)  # type: ignore[arg-type]


async def test_stop_then_start_restores_settings(redis_client: aioredis.Redis, keys: Keys) -> None:
    store = SubscriberStore(redis_client, keys)
    sub = await store.activate(42, chat_type="private", language="ru")
    assert sub.rules is None and sub.active
    await store.update(42, lambda s: s.model_copy(update={"rules": frozenset({"mass-detention"})}))
    await store.deactivate(42, "blocked")
    assert await store.active_ids() == []
    back = await store.activate(42, chat_type="private", language="ru")
    assert back.active and back.rules == frozenset({"mass-detention"})
    assert await store.active_ids() == [42]


async def test_migrate_moves_settings(redis_client: aioredis.Redis, keys: Keys) -> None:
    store = SubscriberStore(redis_client, keys)
    await store.activate(-100, chat_type="group", language="en")
    await store.update(-100, lambda s: s.model_copy(update={"countries": frozenset({"KZ"})}))
    new_id = -1001234567890123
    moved = await store.migrate(-100, new_id)
    assert moved is not None and moved.countries == frozenset({"KZ"})
    assert await store.get(-100) is None
    assert await store.active_ids() == [new_id]


async def test_matching_filters(redis_client: aioredis.Redis, keys: Keys) -> None:
    store = SubscriberStore(redis_client, keys)
    await store.activate(1, chat_type="private", language="en")
    await store.activate(2, chat_type="private", language="en")
    await store.update(2, lambda s: s.model_copy(update={"countries": frozenset({"RU"})}))
    await store.activate(3, chat_type="private", language="en")
    await store.update(3, lambda s: s.model_copy(update={"breaking_only": True}))
    got = {s.chat_id for s in await store.matching(_alert())}
    assert got == {1}
    got = {s.chat_id for s in await store.matching(_alert(breaking=True))}
    assert got == {1, 3}


def test_quiet_hours_across_midnight() -> None:
    sub = Subscriber(chat_id=1, quiet_start=time(22), quiet_end=time(7), timezone="Asia/Almaty")
    # 23:30 in Almaty (UTC+5) is 18:30 UTC
    now = datetime(2026, 1, 10, 18, 30, tzinfo=UTC)
    until = sub.quiet_until(now)
    assert until is not None and until.astimezone(UTC) == datetime(2026, 1, 11, 2, 0, tzinfo=UTC)
    assert sub.quiet_until(now + timedelta(hours=10)) is None


def test_toggle() -> None:
    assert toggle(None, "KZ", ["KZ", "RU"]) == frozenset({"RU"})
    assert toggle(frozenset({"RU"}), "KZ", ["KZ", "RU"]) == frozenset({"KZ", "RU"})
