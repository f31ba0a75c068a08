"""A chat on a long RetryAfter is parked in Redis: every other chat keeps getting its
alerts at once, and the paused chat gets all of them, in order, after its pause (M1)."""

from __future__ import annotations

import asyncio
import re

import pytest
import redis.asyncio as aioredis
from telegram import Bot

from bot.delivery.outbox import Outbox
from bot.delivery.sender import Sender
from bot.delivery.subscribers import SubscriberStore
from bot.store.keys import Keys
from tests.alerts import make_alert
from tests.fakebotapi import FakeBotAPI
from tests.senders import FAST, SenderFactory, subscribe
from tests.virtualtime import VirtualTime
from tests.waiting import stored, until

TITLE = re.compile(r"Alert \d\d")
ALERTS = 20
PAUSE = 86_400  # the flooded chat's retry_after (s): a day
FLOODED, OTHERS = 11, (12, 13, 14)


def titles(fake: FakeBotAPI, chat: int) -> list[str]:
    """The "Alert NN" title of each message the chat got, in the order received."""
    return [m.group(0) for t in fake.plain_texts(chat) if (m := TITLE.search(t))]


async def test_long_retry_after_parks_one_chat_and_the_others_keep_flowing(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory, redis_client: aioredis.Redis, keys: Keys) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, FLOODED, *OTHERS)
    fake_bot_api.flood(FLOODED, retry_after=PAUSE, times=1)  # far longer than defer_after
    for i in range(ALERTS):
        await outbox.publish(make_alert(id=f"m{i}", story_id=f"s{i}", title=f"Alert {i:02d}"))
    # the pause, the deferral's due time and the retries: all virtual; only `advance` ends
    # the pause, never an idle gap of a loaded machine
    vt = VirtualTime(horizon=PAUSE)
    sender = make_sender(max_in_flight=2, defer_after=0.5, resume_every=0.1, ticker=vt,
                         clock=vt.utc)
    async with vt:
        task = asyncio.create_task(sender.run())
        try:
            await until(lambda: all(len(fake_bot_api.texts(c)) == ALERTS for c in OTHERS), 20)
            # The others got everything while the flooded chat was still paused.
            assert vt.now() < PAUSE
            assert fake_bot_api.texts(FLOODED) == []
            await stored(outbox.depth, lambda n: n == 0)  # the last ack follows the last send
            # All acknowledged: the chat's copies are in Redis.
            assert len(await outbox.deferred_alerts(FLOODED)) == ALERTS
            assert fake_bot_api.texts(FLOODED) == []

            await vt.advance(PAUSE)  # the pause is over
            await until(lambda: len(fake_bot_api.texts(FLOODED)) >= ALERTS, 20)
            await stored(lambda: outbox.deferred_alerts(FLOODED), lambda a: a == [])
        finally:
            await sender.stop()
            await task  # stopped: nothing more can follow
    expected = [f"Alert {i:02d}" for i in range(ALERTS)]
    assert titles(fake_bot_api, FLOODED) == expected
    assert len(fake_bot_api.texts(FLOODED)) == ALERTS
    for chat in OTHERS:
        assert titles(fake_bot_api, chat) == expected
    assert await outbox.deferred_alerts(FLOODED) == []
    assert await redis_client.zcard(keys.deferred_due()) == 0


async def test_a_deferral_survives_a_restart(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        bot: Bot) -> None:
    """The parked alerts are in Redis, not in the sender: the next `run --once` (a new
    sender's drain) delivers them once they are due."""
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, FLOODED)
    fake_bot_api.flood(FLOODED, retry_after=1, times=1)
    await outbox.publish(make_alert(id="r1", title="Alert 00"))
    from bot.config.settings import TelegramSettings
    vt = VirtualTime()
    first = Sender(outbox, bot, subs, telegram=lambda: TelegramSettings(rate_limits=FAST),
                   defer_after=0.1, ticker=vt, clock=vt.utc)
    assert await first.drain() == 1
    assert await outbox.depth() == 0 and fake_bot_api.texts(FLOODED) == []
    second = Sender(outbox, bot, subs, telegram=lambda: TelegramSettings(rate_limits=FAST),
                    defer_after=0.1, ticker=vt, clock=vt.utc)
    assert await second.drain() == 0 and fake_bot_api.texts(FLOODED) == []  # not yet due
    await vt.advance(1.1)
    assert await second.drain() == 0
    assert titles(fake_bot_api, FLOODED) == ["Alert 00"]
    assert await outbox.deferred_alerts(FLOODED) == []


async def test_a_chat_that_keeps_failing_is_deferred_too(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory, caplog: pytest.LogCaptureFixture) -> None:
    """Network errors back off; once the wait passes `defer_after` the chat is parked."""
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, FLOODED, OTHERS[0])
    fake_bot_api.fail_next("sendMessage", chat_id=FLOODED, status=502, times=6)
    for i in range(3):
        await outbox.publish(make_alert(id=f"f{i}", story_id=f"f{i}", title=f"Alert {i:02d}"))
    sender = make_sender(max_in_flight=1, backoff=0.05, max_backoff=0.4, defer_after=0.15,
                         resume_every=0.05)
    task = asyncio.create_task(sender.run())
    try:
        await until(lambda: len(fake_bot_api.texts(OTHERS[0])) == 3, 5)
        await until(lambda: len(fake_bot_api.texts(FLOODED)) == 3, 10)
    finally:
        await sender.stop()
        await task
    assert titles(fake_bot_api, FLOODED) == ["Alert 00", "Alert 01", "Alert 02"]
    assert await outbox.deferred_alerts(FLOODED) == []
    assert any(r.getMessage().startswith("chat deferred") for r in caplog.records)
