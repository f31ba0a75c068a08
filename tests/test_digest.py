"""Digests end to end: collected by the sender, sent through the fake Bot API when due."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
import redis.asyncio as aioredis
from telegram import Bot

from bot.config.settings import RateLimits, TelegramSettings
from bot.delivery.digest import Digests, DigestStore, digest_slot
from bot.delivery.outbox import Outbox
from bot.delivery.render import MAX_MESSAGE, Rendered
from bot.delivery.sender import Sender
from bot.delivery.subscribers import Subscriber, SubscriberStore
from bot.store.keys import Keys
from bot.text import utf16_len
from bot.types import AlertKind
from tests.alerts import make_alert
from tests.fakebotapi import FakeBotAPI

NOON = datetime(2026, 3, 2, 12, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def unlimited(fake_bot_api: FakeBotAPI) -> None:
    """Digest tests count messages, not pacing: the fake Bot API enforces no limits."""
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)


def sender_at(outbox: Outbox, bot: Bot, subs: SubscriberStore, now: datetime) -> Sender:
    fast = TelegramSettings(rate_limits=RateLimits(overall=1000, private=100, group=6000))
    return Sender(outbox, bot, subs, clock=lambda: now, telegram=lambda: fast)


async def test_hourly_digest_is_sent_once_per_hour_grouped(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore, bot: Bot,
        keys: Keys, redis_client: aioredis.Redis) -> None:
    await subs.save(Subscriber(chat_id=1, mode="hourly"))
    sender = sender_at(outbox, bot, subs, NOON)
    await outbox.publish(make_alert(id="a", story_id="s1", countries=("KZ",)))
    await outbox.publish(make_alert(id="b", story_id="s2", countries=("RU",), rule="protest",
                                    title="Rally in Moscow"))
    await outbox.publish(make_alert(id="b2", story_id="s2", countries=("RU",), rule="protest",
                                    title="Rally in Moscow grows", kind=AlertKind.UPDATE))
    await sender.drain()
    assert fake_bot_api.texts(1) == []
    digests = Digests(DigestStore(outbox), subs, sender,
                      rule_title=lambda r, lang: {"protest": "Protest"}.get(r, r))
    assert await digests.run_digests(NOON) == 1
    (msg,) = fake_bot_api.messages[1]
    assert msg.parse_mode == "HTML"
    assert msg.plain.startswith("🗞 Hourly digest · 2 stories")
    assert "🇰🇿 Kazakhstan" in msg.plain and "🇷🇺 Russia" in msg.plain and "Protest" in msg.plain
    assert "Rally in Moscow grows" in msg.plain  # the update supersedes the first report
    assert "Rally in Moscow —" not in msg.plain
    assert await redis_client.zcard(keys.digest(1)) == 0
    assert await digests.run_digests(NOON + timedelta(minutes=5)) == 0  # same hour: nothing
    await outbox.publish(make_alert(id="c", story_id="s3"))
    await sender_at(outbox, bot, subs, NOON + timedelta(minutes=10)).drain()
    assert await digests.run_digests(NOON + timedelta(minutes=20)) == 0  # hour already sent
    assert await digests.run_digests(NOON + timedelta(hours=1)) == 1
    assert len(fake_bot_api.messages[1]) == 2


async def test_big_digest_is_split_and_every_part_accepted(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore, bot: Bot,
        keys: Keys, redis_client: aioredis.Redis) -> None:
    await subs.save(Subscriber(chat_id=2, mode="daily", language="ru"))
    sender = sender_at(outbox, bot, subs, NOON)
    for i in range(120):
        await outbox.publish(make_alert(id=f"x{i}", story_id=f"s{i}",
                                        countries=(("KZ", "AM", "TJ")[i % 3],),
                                        title=f"Story {i} <&> " + "long words " * 12))
    await sender.drain()
    digests = Digests(DigestStore(outbox), subs, sender)
    parts = await digests.run_digests(NOON)
    assert parts >= 3
    sent = fake_bot_api.messages[2]
    assert len(sent) == parts
    assert not fake_bot_api.rejected
    for msg in sent:
        assert msg.parse_mode == "HTML" and utf16_len(msg.plain) <= MAX_MESSAGE
    body = "\n".join(m.plain for m in sent)
    assert all(f"Story {i} <&>" in body for i in range(120))
    assert sent[0].plain.startswith("🗞 Сводка за день · 120")
    assert await redis_client.zcard(keys.digest(2)) == 0


async def test_daily_digest_waits_for_the_morning_in_the_chat_time_zone(
        outbox: Outbox, subs: SubscriberStore) -> None:
    sub = Subscriber(chat_id=3, mode="daily", timezone="Asia/Almaty")  # UTC+5
    assert digest_slot(sub, datetime(2026, 3, 2, 2, 0, tzinfo=UTC)) is None  # 07:00 local
    assert digest_slot(sub, datetime(2026, 3, 2, 3, 0, tzinfo=UTC)) == "d20260302"
    hourly = Subscriber(chat_id=3, mode="hourly")
    assert digest_slot(hourly, NOON) == "h2026030212"
    muted = hourly.model_copy(update={"muted_until": NOON + timedelta(hours=1)})
    assert digest_slot(muted, NOON) is None


async def test_alerts_held_in_quiet_hours_arrive_when_they_end(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore, bot: Bot) -> None:
    await subs.save(Subscriber(chat_id=4, quiet_start=time(22, 0), quiet_end=time(7, 0)))
    night = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    await outbox.publish(make_alert(id="q1"))
    sender = sender_at(outbox, bot, subs, night)
    await sender.drain()
    assert fake_bot_api.texts(4) == []
    assert (await outbox.deliveries("q1"))["4"] == "held"
    digests = Digests(DigestStore(outbox), subs, sender)
    assert await digests.run_digests(night) == 0
    assert await digests.run_digests(night + timedelta(hours=8)) == 1
    assert "Police detain protesters" in fake_bot_api.messages[4][0].plain


async def test_two_runners_send_a_digest_once(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore, bot: Bot) -> None:
    await subs.save(Subscriber(chat_id=5, mode="hourly"))
    sender = sender_at(outbox, bot, subs, NOON)
    await outbox.publish(make_alert(id="t1"))
    await sender.drain()
    one = Digests(DigestStore(outbox), subs, sender)
    two = Digests(DigestStore(outbox), subs, sender)
    results = await asyncio.gather(one.run_digests(NOON), two.run_digests(NOON))
    assert sorted(results) == [0, 1]
    assert len(fake_bot_api.messages[5]) == 1


class _FailsAfter:
    """A sink that accepts `n` messages and then refuses (an outage mid-digest)."""

    def __init__(self, inner: Sender, n: int) -> None:
        self.inner, self.left = inner, n

    async def send_rendered(self, chat: int, rendered: Rendered, *, is_group: bool = False,
                            thread_id: int | None = None) -> int | None:
        if self.left <= 0:
            return None
        self.left -= 1
        return await self.inner.send_rendered(chat, rendered, is_group=is_group,
                                              thread_id=thread_id)


async def test_a_part_that_fails_keeps_its_alerts_for_next_time(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore, bot: Bot,
        keys: Keys, redis_client: aioredis.Redis) -> None:
    await subs.save(Subscriber(chat_id=6, mode="hourly"))
    sender = sender_at(outbox, bot, subs, NOON)
    for i in range(90):
        await outbox.publish(make_alert(id=f"y{i}", story_id=f"s{i}",
                                        title=f"Item {i} " + "w" * 150))
    await sender.drain()
    flaky = Digests(DigestStore(outbox), subs, _FailsAfter(sender, 1))
    assert await flaky.run_digests(NOON) == 1
    left = await redis_client.zcard(keys.digest(6))
    assert 0 < left < 90
    first = fake_bot_api.messages[6][0].plain
    healthy = Digests(DigestStore(outbox), subs, sender)
    await healthy.run_digests(NOON + timedelta(hours=1))
    rest = "\n".join(m.plain for m in fake_bot_api.messages[6][1:])
    for i in range(90):  # every item exactly once across the two digests
        assert (f"Item {i} " in first) != (f"Item {i} " in rest)
    assert await redis_client.zcard(keys.digest(6)) == 0
