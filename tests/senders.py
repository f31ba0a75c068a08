"""Sender fixtures shared by the delivery tests: a PTB Bot on the fake Bot API, the outbox,
the subscriber store and a Sender factory with fast limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as aioredis
from telegram import Bot

from bot.config.settings import RateLimits, TelegramSettings
from bot.delivery.outbox import Outbox
from bot.delivery.sender import Sender
from bot.delivery.subscribers import Subscriber, SubscriberStore
from bot.store.keys import Keys
from tests.fakebotapi import FakeBotAPI

FAST = RateLimits(overall=1000, private=100, group=6000)


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI) -> AsyncIterator[Bot]:
    b = Bot(fake_bot_api.token, base_url=fake_bot_api.base_url,
            base_file_url=fake_bot_api.base_file_url)
    await b.initialize()
    try:
        yield b
    finally:
        await b.shutdown()


@pytest.fixture
def outbox(redis_client: aioredis.Redis, keys: Keys) -> Outbox:
    return Outbox(redis_client, keys)


@pytest.fixture
def subs(redis_client: aioredis.Redis, keys: Keys) -> SubscriberStore:
    return SubscriberStore(redis_client, keys)


SenderFactory = Callable[..., Sender]


@pytest.fixture
def make_sender(outbox: Outbox, bot: Bot, subs: SubscriberStore) -> SenderFactory:
    def build(limits: RateLimits = FAST, **kw: object) -> Sender:
        telegram = TelegramSettings(rate_limits=limits,
                                    channels=kw.pop("channels", ()))  # type: ignore[arg-type]
        kw.setdefault("backoff", 0.05)
        return Sender(outbox, bot, subs, telegram=lambda: telegram, **kw)  # type: ignore[arg-type]
    return build


async def subscribe(subs: SubscriberStore, *chat_ids: int, **kw: object) -> None:
    for c in chat_ids:
        chat_type = "private" if c > 0 else "group"
        await subs.save(Subscriber(chat_id=c, chat_type=chat_type, **kw))  # type: ignore[arg-type]
