"""The bot's replies under load and under 429s, through `PacedLimiter`, on virtual time (#13).

The real PTB Application polls the fake Bot API, which enforces Telegram's limits on the
same virtual clock as the pacer: a burst of /start that used to lose most welcomes to
429s now gets every user exactly one welcome, and a reply that meets a 429 waits its
turn and is sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.config.settings import RateLimits
from bot.delivery.limiter import PacedLimiter
from bot.delivery.pacing import Pacer
from bot.delivery.subscribers import SubscriberStore
from bot.ops.metrics import Metrics
from bot.store import open_redis
from bot.store.keys import Keys
from bot.telegram.app import build_application
from bot.telegram.types import BotServices, StatusReport, StorySummary
from tests.botapp import RULES, WATCH, polling
from tests.fakebotapi import FakeBotAPI
from tests.virtualtime import VirtualTime
from tests.waiting import until

TELEGRAM = RateLimits(overall=30, private=1, group=20)


@dataclass
class Bot:
    fake: FakeBotAPI
    vt: VirtualTime
    metrics: Metrics
    store: SubscriberStore

    def lost(self) -> float:
        value = self.metrics.registry.get_sample_value("eventwatch_telegram_replies_lost_total")
        return value or 0.0


@pytest.fixture
async def paced(redis_client: aioredis.Redis, redis_url: str, keys: Keys,
                tmp_path: Path) -> AsyncIterator[Bot]:
    # The app's own Redis pool (open_redis): a thousand handlers at once wait for one of
    # its connections instead of failing with "Too many connections".
    handle = await open_redis(redis_url, tmp_path)
    vt = VirtualTime()
    fake = FakeBotAPI(clock=vt.now)
    fake.set_rate_limits(overall=30, private=1, group=20)  # Telegram's, on virtual time
    await fake.start()
    store = SubscriberStore(handle.client, keys)

    async def status() -> StatusReport:
        raise AssertionError("not asked")

    async def latest(n: int) -> Sequence[StorySummary]:
        return []

    async def reload() -> list[str]:
        return []

    services = BotServices(subscribers=store, rules=lambda: RULES, watch=lambda: WATCH,
                           admins=frozenset, status=status, reload=reload, latest=latest)
    metrics = Metrics()
    limiter = PacedLimiter(Pacer(lambda: TELEGRAM, vt), deadline=lambda: 600.0,
                           metrics=metrics)
    app = build_application(fake.token, fake.url, services, rate_limiter=limiter)
    try:
        async with vt, polling(app):
            yield Bot(fake, vt, metrics, store)
    finally:
        await fake.stop()
        await handle.close()
    assert not fake.violations, fake.violations


async def test_issue_13_a_burst_of_start_gets_every_user_one_welcome(paced: Bot) -> None:
    users = range(5001, 5301)  # 300 people within a second, as in the issue
    started = paced.vt.now()
    for user in users:
        paced.fake.command("start", user_id=user)
    await until(lambda: all(paced.fake.messages.get(u) for u in users), 60)
    for user in users:
        (welcome,) = paced.fake.messages[user]
        assert "Welcome" in welcome.plain
    assert paced.fake.count_429 == 0  # paced below the limit, not retried into it
    assert paced.vt.now() - started >= (300 - 30) / 30  # 30/s: at least 9 virtual seconds
    assert paced.lost() == 0
    assert len(await paced.store.active_ids()) == 300


async def test_issue_13_a_reply_that_meets_a_429_waits_its_turn(paced: Bot) -> None:
    paced.fake.flood(7001, retry_after=5, times=2)
    paced.fake.command("start", user_id=7001)
    await until(lambda: bool(paced.fake.messages.get(7001)), 30)
    (welcome,) = paced.fake.messages[7001]  # once: no "something went wrong" after it
    assert "Welcome" in welcome.plain
    assert paced.fake.count_429 == 2
    assert paced.vt.now() >= 10  # waited out both pauses, on virtual time
    assert paced.lost() == 0


async def test_issue_13_a_reply_past_the_deadline_is_counted_not_lost_silently(
        paced: Bot, caplog: pytest.LogCaptureFixture) -> None:
    paced.fake.flood(7002, retry_after=700, times=1)  # past telegram.reply_deadline
    paced.fake.command("start", user_id=7002)
    await until(lambda: paced.lost() == 1, 30)
    assert any("reply_deadline" in r.getMessage() for r in caplog.records)
    assert not paced.fake.messages.get(7002)  # and no apology that would go the same way


async def test_issue_13_a_press_whose_edit_fails_is_answered_once_truthfully(
        paced: Bot) -> None:
    paced.fake.command("start", user_id=7003)
    paced.fake.command("rules", user_id=7003)
    await until(lambda: len(paced.fake.messages.get(7003, [])) == 2, 30)
    paced.fake.fail_next("editMessageText", chat_id=7003, status=400,
                         description="Bad Request: message can't be edited")
    paced.fake.press("r:t:protest", user_id=7003)
    await until(lambda: len(paced.fake.callback_answers) == 1, 30)
    paced.fake.press("r:t:protest", user_id=7003)  # the next press works, answered once
    await until(lambda: len(paced.fake.callback_answers) == 2, 30)
    first, second = paced.fake.callback_answers
    assert first["text"] != "Saved" and "went wrong" in first["text"]
    assert second["text"] == "Protests: on"
