"""Digests and admin notices through the fake Bot API: the one error policy, on virtual
time, and no chat ever stalls another (#13).

Each Bot API error is met as the outbox meets it: a 429 waits (a long one leaves the
message for later instead of holding up the other chats), 403 deactivates, a migration
moves the chat and resends, bad HTML goes again as plain text, network errors retry with
backoff.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from telegram import Bot

from bot.app import Eventwatch
from bot.config.loader import load_config
from bot.config.settings import Env, RateLimits, TelegramSettings
from bot.delivery.digest import Digests, DigestStore
from bot.delivery.outbox import Outbox
from bot.delivery.render import MAX_MESSAGE
from bot.delivery.sender import Sender
from bot.delivery.subscribers import Subscriber, SubscriberStore
from bot.store.keys import Keys
from bot.text import utf16_len
from tests.alerts import make_alert
from tests.fakebotapi import FakeBotAPI
from tests.virtualtime import VirtualTime

NOON = datetime(2026, 3, 2, 12, 5, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
FAST = TelegramSettings(rate_limits=RateLimits(overall=1000, private=100, group=6000))
CHAT, OTHER, ADMIN_CHAT, NEW_CHAT = 31, 32, 4242, -1005100000000001
HTML_REFUSED = "Bad Request: can't parse entities: Unsupported start tag \"p\" at byte offset 0"


@dataclass
class World:
    fake: FakeBotAPI
    vt: VirtualTime
    subs: SubscriberStore
    digest: Callable[[], Awaitable[int]]  # sends the due digests (CHAT's and OTHER's)
    notice: Callable[[str], Awaitable[None]]  # Eventwatch.notify_admins


@pytest.fixture
async def world(fake_bot_api: FakeBotAPI, redis_client: aioredis.Redis, redis_url: str,
                keys: Keys, tmp_path: Path) -> AsyncIterator[World]:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    vt = VirtualTime()
    fake_bot_api.clock = vt.now
    outbox, subs = Outbox(redis_client, keys), SubscriberStore(redis_client, keys)
    bot = Bot(fake_bot_api.token, base_url=fake_bot_api.base_url)
    await bot.initialize()
    sender = Sender(outbox, bot, subs, telegram=lambda: FAST, clock=lambda: NOON, ticker=vt,
                    backoff=1.0)
    for chat in (CHAT, OTHER):
        await subs.save(Subscriber(chat_id=chat, mode="hourly"))
    await outbox.publish(make_alert(id="a", story_id="s1", title="Troops <cross> & more"))
    await sender.drain()  # into both digests
    digests = Digests(DigestStore(outbox), subs, sender)

    cfg = tmp_path / "cfg"
    (cfg / "rules").mkdir(parents=True)
    shutil.copy(ROOT / "config" / "rules" / "troop-deployment.yaml", cfg / "rules")
    (cfg / "settings.yaml").write_text(f"telegram:\n  admin_chat: {ADMIN_CHAT}\n",
                                       encoding="utf-8")
    (cfg / "feeds.yaml").write_text("feeds:\n  - id: wire\n    url: http://127.0.0.1:9/w.xml\n",
                                    encoding="utf-8")
    env = Env(redis_url=redis_url, telegram_token=fake_bot_api.token,
              telegram_api_url=fake_bot_api.url, config_dir=cfg, data_dir=tmp_path / "data")
    try:
        async with vt, Eventwatch(env, load_config(cfg), keys=keys, ticker=vt) as app:
            yield World(fake_bot_api, vt, subs, lambda: digests.run_digests(NOON),
                        app.notify_admins)
    finally:
        await bot.shutdown()


async def test_issue_13_digest_short_429_waits_and_a_long_one_stalls_no_other_chat(
        world: World) -> None:
    world.fake.flood(CHAT, retry_after=3600)
    assert await world.digest() == 1  # OTHER's digest went; CHAT's is left for later
    assert len(world.fake.messages[OTHER]) == 1 and not world.fake.messages.get(CHAT)
    assert world.vt.now() < 1  # nobody waited out the hour
    world.fake.reset_records()
    await world.notice("feed wire is dead")  # the admin chat is not held up either
    assert len(world.fake.messages[ADMIN_CHAT]) == 1


async def test_issue_13_digest_short_429_is_waited_out(world: World) -> None:
    world.fake.flood(CHAT, retry_after=5)
    assert await world.digest() == 2
    assert len(world.fake.messages[CHAT]) == 1 and world.fake.count_429 == 1
    assert world.fake.messages[CHAT][0].at >= 5 > world.fake.messages[OTHER][0].at


async def test_issue_13_notice_429_is_waited_out(world: World) -> None:
    world.fake.flood(ADMIN_CHAT, retry_after=5)
    await world.notice("feed wire is dead")
    assert len(world.fake.messages[ADMIN_CHAT]) == 1 and world.vt.now() >= 5


async def test_issue_13_digest_403_deactivates_notice_403_only_logs(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    world.fake.block(CHAT)
    world.fake.block(ADMIN_CHAT)
    assert await world.digest() == 1
    sub = await world.subs.get(CHAT)
    assert sub is not None and not sub.active and sub.mode == "hourly"  # settings kept
    with caplog.at_level(logging.ERROR):
        await world.notice("feed wire is dead")
    assert any("could not tell the admin chat" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("path", ["digest", "notice"])
async def test_issue_13_migration_moves_and_resends(world: World, path: str) -> None:
    old = CHAT if path == "digest" else ADMIN_CHAT
    world.fake.migrate(old, NEW_CHAT)
    if path == "digest":
        await world.digest()
        assert await world.subs.get(NEW_CHAT) is not None
    else:
        await world.notice("feed wire is dead")
    assert len(world.fake.messages[NEW_CHAT]) == 1


@pytest.mark.parametrize("path", ["digest", "notice"])
async def test_issue_13_bad_html_goes_again_as_plain_text(world: World, path: str) -> None:
    chat = CHAT if path == "digest" else ADMIN_CHAT
    world.fake.fail_next("sendMessage", chat_id=chat, status=400, description=HTML_REFUSED)
    await (world.digest() if path == "digest" else world.notice("a <b> & c"))
    (msg,) = world.fake.messages[chat]
    assert msg.parse_mode is None
    assert "<" in msg.text  # the plain form, sent as is


@pytest.mark.parametrize("path", ["digest", "notice"])
async def test_issue_13_network_errors_are_retried_with_backoff(world: World,
                                                                path: str) -> None:
    chat = CHAT if path == "digest" else ADMIN_CHAT
    world.fake.fail_next("sendMessage", chat_id=chat, status=502, times=3)
    await (world.digest() if path == "digest" else world.notice("feed wire is dead"))
    assert len(world.fake.messages[chat]) == 1
    # Three backoffs (base 1 s for the digest's sender, 0.5 s for the app's), jitter ≤ half.
    base = 1.0 if path == "digest" else 0.5
    assert world.vt.now() >= (base + 2 * base + 4 * base) / 2


async def test_issue_13_a_long_admin_notice_is_capped_where_it_is_built(
        world: World) -> None:
    errors = "\n".join(f"settings.yaml:{i}: poll.interval: <must be> & positive " * 6
                       for i in range(20))  # the failed reload's ~6,000 characters
    await world.notice(f"Config reload failed; the old config keeps running:\n{errors}")
    (msg,) = world.fake.messages[ADMIN_CHAT]
    assert utf16_len(msg.plain) <= MAX_MESSAGE and msg.plain.startswith("Config reload")
