"""The sender end to end: real python-telegram-bot `Bot`, the fake Bot API, real Redis."""

from __future__ import annotations

import asyncio
import io
import itertools
import logging
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis
from telegram import Bot

from bot.config.settings import RateLimits, StorySettings, TelegramSettings
from bot.delivery.console import ConsoleSink
from bot.delivery.outbox import Outbox
from bot.delivery.render import MAX_MESSAGE
from bot.delivery.sender import Sender
from bot.delivery.subscribers import SubscriberStore
from bot.store.keys import Keys
from bot.stories.store import StoryStore
from bot.text import utf16_len
from bot.types import AlertKind, Entry
from detectors.types import Detection, Severity
from tests.alerts import make_alert
from tests.fakebotapi import FakeBotAPI
from tests.reference import REWRITE_A
from tests.senders import FAST, SenderFactory, subscribe
from tests.virtualtime import VirtualTime
from tests.waiting import until


async def test_alert_reaches_every_matching_chat_once(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 1, 2, -3)
    await subscribe(subs, 4, rules=frozenset({"other_rule"}))  # does not want it
    await subscribe(subs, 5, language="ru")
    await outbox.publish(make_alert(id="n1"))
    sender = make_sender(channels=(-1009,))
    assert await sender.drain() == 1
    for chat in (1, 2, -3, 5, -1009):
        (msg,) = fake_bot_api.messages[chat]
        assert msg.parse_mode == "HTML"
        assert msg.link_preview_options == {"url": "https://news.example/a?x=1&y=2"}
        assert "Police detain protesters" in msg.plain
    assert 4 not in fake_bot_api.messages
    assert "Казахстан" in fake_bot_api.messages[5][0].plain
    assert await outbox.depth() == 0
    records = await outbox.deliveries("n1")
    assert records == {"1": "1", "2": "1", "-3": "1", "5": "1", "-1009": "1"}
    assert await outbox.redis.ttl(outbox.keys.delivery("n1")) > 0  # records expire
    # Published again (a producer's retry): nothing more goes out.
    await outbox.publish(make_alert(id="n1"))
    assert await sender.drain() == 0
    assert fake_bot_api.total_messages() == 5


async def test_link_preview_only_for_a_web_link(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 1)
    await outbox.publish(make_alert(id="js", url="javascript:alert(1)"))
    assert await make_sender().drain() == 1
    (msg,) = fake_bot_api.messages[1]
    assert msg.link_preview_options == {"is_disabled": True}


async def test_pacing_keeps_within_the_per_chat_limit(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory) -> None:
    # The fake enforces 1/s per private chat with no burst; the sender must pace itself.
    fake_bot_api.config.private_burst = 1
    await subscribe(subs, 11, 12)
    for i in range(3):
        await outbox.publish(make_alert(id=f"p{i}", story_id=f"s{i}"))
    vt = VirtualTime()
    fake_bot_api.clock = vt.now  # the fake's limits run on the sender's (virtual) time
    sender = make_sender(limits=RateLimits(overall=100, private=1.0, group=20), ticker=vt)
    async with vt:
        await sender.drain()
    assert len(fake_bot_api.messages[11]) == 3 and len(fake_bot_api.messages[12]) == 3
    assert fake_bot_api.count_429 == 0
    at = [m.at for m in fake_bot_api.messages[11]]  # virtual seconds
    assert all(b - a >= 1 - 1e-6 for a, b in itertools.pairwise(at))
    assert vt.now() >= 2


async def test_429_pauses_only_that_chat_and_the_message_is_requeued(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, *range(101, 121))
    fake_bot_api.flood(105, retry_after=1, times=2)
    await outbox.publish(make_alert(id="f1"))
    vt = VirtualTime()
    fake_bot_api.clock = vt.now
    async with vt:
        await make_sender(ticker=vt).drain()
    assert fake_bot_api.count_429 == 2
    for chat in range(101, 121):
        assert len(fake_bot_api.messages[chat]) == 1, chat
    flooded = fake_bot_api.messages[105][0].at
    others = max(m.at for c in range(101, 121) if c != 105
                 for m in fake_bot_api.messages[c])
    assert others < 1 <= 2 <= flooded  # two retry_after=1 pauses; the others did not wait
    assert (await outbox.deliveries("f1"))["105"] == "1"


async def test_retry_after_is_capped(fake_bot_api: FakeBotAPI, outbox: Outbox,
                                     subs: SubscriberStore, bot: Bot) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 7)
    fake_bot_api.flood(7, retry_after=3600)
    await outbox.publish(make_alert(id="cap"))
    telegram = TelegramSettings(rate_limits=FAST, max_retry_after=0.2)
    vt = VirtualTime()
    async with vt:
        await Sender(outbox, bot, subs, telegram=lambda: telegram, ticker=vt).drain()
    assert 0.2 <= vt.now() < 1  # waited the capped 0.2 s, not the hour asked for
    assert len(fake_bot_api.messages[7]) == 1


async def test_403_deactivates_and_keeps_settings(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 21, 22, mode="instant", countries=frozenset({"KZ"}))
    fake_bot_api.block(21)
    await outbox.publish(make_alert(id="b1"))
    await make_sender().drain()
    sub = await subs.get(21)
    assert sub is not None and not sub.active and sub.countries == frozenset({"KZ"})
    assert sub.deactivated_reason and "blocked" in sub.deactivated_reason
    assert await subs.active_ids() == [22]
    assert len(fake_bot_api.messages[22]) == 1
    assert (await outbox.deliveries("b1"))["21"] == "forbidden"
    assert await outbox.depth() == 0


async def test_parse_error_falls_back_to_plain_text_loudly(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory, caplog: pytest.LogCaptureFixture) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 31, 32)
    fake_bot_api.fail_next("sendMessage", chat_id=31, status=400, description=(
        "Bad Request: can't parse entities: Unsupported start tag \"p\" at byte offset 0"))
    await outbox.publish(make_alert(id="h1"))
    with caplog.at_level(logging.ERROR, logger="bot.delivery.sender"):
        await make_sender().drain()
    (msg,) = fake_bot_api.messages[31]
    assert msg.parse_mode is None and "https://news.example/a?x=1&y=2" in msg.text
    assert fake_bot_api.messages[32][0].parse_mode == "HTML"
    assert any(r.levelno == logging.ERROR and "plain text" in r.getMessage()
               for r in caplog.records)


async def test_too_long_is_never_sent(fake_bot_api: FakeBotAPI, outbox: Outbox,
                                      subs: SubscriberStore,
                                      make_sender: SenderFactory) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 41)
    await outbox.publish(make_alert(id="long", title="Very long & <odd> " * 600,
                                    summary="😀 " * 3000, sources=tuple("XYZ" * 50)))
    await make_sender().drain()
    (msg,) = fake_bot_api.messages[41]
    assert msg.parse_mode == "HTML" and utf16_len(msg.plain) <= MAX_MESSAGE
    assert not [r for r in fake_bot_api.rejected if r[2] == 400]


async def test_migrated_group_moves_and_gets_the_alert(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, -51, rules=frozenset({"mass_detentions"}))
    fake_bot_api.migrate(-51, -1005100000000001)
    await outbox.publish(make_alert(id="m1"))
    await make_sender().drain()
    assert -51 not in fake_bot_api.messages
    assert len(fake_bot_api.messages[-1005100000000001]) == 1
    moved = await subs.get(-1005100000000001)
    assert moved is not None and moved.active and moved.rules == frozenset({"mass_detentions"})
    assert await subs.get(-51) is None
    records = await outbox.deliveries("m1")
    assert records["-51"] == "migrated:-1005100000000001"
    assert records["-1005100000000001"] == "1"


async def test_5xx_and_network_errors_are_retried(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 61, 62)
    fake_bot_api.fail_next("sendMessage", chat_id=61, status=502, times=2)
    fake_bot_api.fail_next("sendMessage", chat_id=62, status=500,
                           description="Internal Server Error")
    await outbox.publish(make_alert(id="r1"))
    await make_sender().drain()
    assert len(fake_bot_api.messages[61]) == 1 and len(fake_bot_api.messages[62]) == 1
    assert fake_bot_api.requests["sendMessage"] == 5


@pytest.mark.parametrize("outage", ["reset", "502", "refused"])
async def test_outage_then_recovery_loses_nothing(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory, outage: str, caplog: pytest.LogCaptureFixture) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 63, 64)
    if outage == "refused":
        await fake_bot_api.refuse()
    else:
        fake_bot_api.config.down = outage
    await outbox.publish(make_alert(id="o1"))
    sender = make_sender()
    with caplog.at_level(logging.WARNING, logger="bot.delivery.sender"):
        task = asyncio.create_task(sender.run())
        await until(lambda: sum("retrying" in r.getMessage() for r in caplog.records) >= 4)
    assert fake_bot_api.total_messages() == 0
    fake_bot_api.config.down = None
    await fake_bot_api.resume()
    for _ in range(100):
        if fake_bot_api.total_messages() == 2 and await outbox.depth() == 0:
            break
        await asyncio.sleep(0.05)
    await sender.stop()
    await task
    assert len(fake_bot_api.messages[63]) == 1 and len(fake_bot_api.messages[64]) == 1


async def test_reclaim_after_crash_delivers_only_to_missing_chats(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore, bot: Bot,
        make_sender: SenderFactory) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    chats = list(range(201, 211))
    await subscribe(subs, *chats)
    await outbox.publish(make_alert(id="k1"))
    # A sender read the alert, delivered to half of the chats, and died.
    assert len(await outbox.read("crashed", count=1)) == 1
    for chat in chats[:5]:
        msg = await bot.send_message(chat, "first half")
        await outbox.record_delivery("k1", chat, msg.message_id)
    await asyncio.sleep(0.3)
    survivor = make_sender(consumer="survivor", claim_idle=0.2)
    assert await survivor.drain() == 1
    for chat in chats:
        assert len(fake_bot_api.messages[chat]) == 1, chat
    assert fake_bot_api.texts(201) == ["first half"]
    assert await outbox.depth() == 0


async def test_stop_leaves_the_rest_pending_and_a_restart_finishes(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    chats = list(range(301, 341))
    await subscribe(subs, *chats)
    await outbox.publish(make_alert(id="g1"))
    slow = RateLimits(overall=40, private=100, group=6000)
    first = make_sender(limits=slow, consumer="one")
    task = asyncio.create_task(first.run())
    for _ in range(500):
        if fake_bot_api.total_messages() >= 10:
            break
        await asyncio.sleep(0.01)
    await first.stop()
    await task
    sent = fake_bot_api.total_messages()
    assert 10 <= sent < 40
    assert await outbox.depth() == 1  # not acknowledged: nothing lost
    assert len(await outbox.deliveries("g1")) == sent  # every send was recorded
    await make_sender(consumer="one").drain()
    assert all(len(fake_bot_api.messages[c]) == 1 for c in chats)
    assert await outbox.depth() == 0


async def test_update_replies_and_sources_edit_the_original(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore, bot: Bot) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 71, 72)
    clock = [datetime(2026, 1, 1, 12, tzinfo=UTC)]
    sender = Sender(outbox, bot, subs, telegram=lambda: TelegramSettings(rate_limits=FAST),
                    stories=lambda: StorySettings(edit_interval=600), clock=lambda: clock[0])
    await outbox.publish(make_alert(id="s-new", story_id="st"))
    await sender.drain()
    await outbox.publish(make_alert(id="s-src", story_id="st", kind=AlertKind.SOURCES,
                                    sources=("Outlet B", "Outlet C")))
    await sender.drain()
    clock[0] += timedelta(seconds=60)  # a doubled SOURCES alert too soon: no second edit
    await outbox.publish(make_alert(id="s-src2", story_id="st", kind=AlertKind.SOURCES,
                                    sources=("Outlet B", "Outlet C", "Outlet D")))
    await sender.drain()
    await outbox.publish(make_alert(id="s-upd", story_id="st", kind=AlertKind.UPDATE,
                                    figures={"detained": 16000}))
    await sender.drain()
    for chat in (71, 72):
        first, update = fake_bot_api.messages[chat]
        assert "Also reported by: Outlet B, Outlet C" in first.plain
        assert first.edits == 1
        assert update.reply_to == first.message_id
        assert "Update:" in update.plain and "16,000" in update.plain
    assert len(fake_bot_api.edits) == 2


async def test_muted_digest_and_quiet_chats_get_no_instant_message(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore, keys: Keys,
        redis_client: aioredis.Redis, make_sender: SenderFactory) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    now = datetime.now(UTC)
    await subscribe(subs, 81, muted_until=now + timedelta(hours=1))
    await subscribe(subs, 82, mode="hourly")
    await subscribe(subs, 83)
    await outbox.publish(make_alert(id="d1"))
    await make_sender().drain()
    assert fake_bot_api.texts(81) == [] and fake_bot_api.texts(82) == []
    assert len(fake_bot_api.texts(83)) == 1
    records = await outbox.deliveries("d1")
    assert records["81"] == "muted" and records["82"] == "digest"
    assert await redis_client.zrange(keys.digest(82), 0, -1) == [b"d1"]


async def test_console_sink_prints_each_alert_once(outbox: Outbox) -> None:
    out = io.StringIO()
    await outbox.publish(make_alert(id="c1", title="Console <title> & more"))
    sink = ConsoleSink(outbox, stream=out)
    assert await sink.drain() == 1
    assert await sink.drain() == 0
    text = out.getvalue()
    assert text.count("Console <title> & more") == 1
    assert "https://news.example/a?x=1&y=2" in text
    assert await outbox.depth() == 0


async def test_stop_before_run_starts_returns_and_run_exits(
        outbox: Outbox, make_sender: SenderFactory) -> None:
    sender = make_sender()
    task = asyncio.create_task(sender.run())
    await sender.stop()
    await asyncio.wait_for(task, 5)


async def test_real_429s_under_load_lose_and_repeat_nothing(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory) -> None:
    # The server allows 20 msg/s overall; the sender is (mis)configured for 200 msg/s. A
    # small burst keeps the 429s coming even when a loaded machine slows the sender down.
    fake_bot_api.set_rate_limits(overall=20, private=None, group=None)
    fake_bot_api.config.overall_burst = 5
    chats = list(range(401, 441))
    await subscribe(subs, *chats)
    await outbox.publish(make_alert(id="load"))
    await make_sender(limits=RateLimits(overall=200, private=100, group=6000)).drain()
    assert fake_bot_api.count_429 > 0
    assert all(len(fake_bot_api.messages[c]) == 1 for c in chats)
    records = await outbox.deliveries("load")
    assert sorted(int(c) for c in records) == chats
    assert await outbox.depth() == 0


async def test_a_story_s_alerts_go_out_in_order(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 91)
    fake_bot_api.flood(91, retry_after=1)  # the NEW message is held up by a 429…
    await outbox.publish(make_alert(id="o-new", story_id="ord"))
    await outbox.publish(make_alert(id="o-upd", story_id="ord", kind=AlertKind.UPDATE,
                                    figures={"detained": 20000}))
    await make_sender().drain()  # …and both alerts are read in one batch
    first, update = fake_bot_api.messages[91]
    assert "Update:" not in first.plain and "Update:" in update.plain
    assert update.reply_to == first.message_id


async def test_breaking_only_chat_gets_the_story_when_it_turns_breaking(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 91)
    await subscribe(subs, 92, breaking_only=True)
    sender = make_sender()
    await outbox.publish(make_alert(id="b-new", story_id="bs"))
    await sender.drain()
    assert len(fake_bot_api.texts(91)) == 1 and fake_bot_api.texts(92) == []
    await outbox.publish(make_alert(id="b-src", story_id="bs", kind=AlertKind.SOURCES,
                                    sources=("Outlet B", "Outlet C"), breaking=True))
    await sender.drain()
    assert len(fake_bot_api.texts(91)) == 1  # edited, not sent again
    assert fake_bot_api.messages[91][0].edits == 1
    (first,) = fake_bot_api.messages[92]  # the first the chat hears of it: a message
    assert "Also reported by: Outlet B, Outlet C" in first.plain
    await outbox.publish(make_alert(id="b-upd", story_id="bs", kind=AlertKind.UPDATE,
                                    figures={"detained": 16000}, breaking=True))
    await sender.drain()
    assert fake_bot_api.messages[92][1].reply_to == first.message_id


async def test_a_subscriber_sees_only_the_event_types_it_follows_issue12(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        make_sender: SenderFactory) -> None:
    """One message per article: a reader who follows some of its types is told of those,
    in the first message and in the edit that adds sources."""
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 81)  # every rule
    await subscribe(subs, 82, rules=frozenset({"mass-detention"}))
    await subscribe(subs, 83, rules=frozenset({"mass-detention", "state-of-emergency"}))
    events = {"troop-deployment": ("KZ",), "state-of-emergency": ("KZ",),
              "mass-detention": ("KZ",)}
    await outbox.publish(make_alert(id="t-new", story_id="t", rule="troop-deployment",
                                    events=events))
    await outbox.publish(make_alert(id="t-src", story_id="t", rule="troop-deployment",
                                    kind=AlertKind.SOURCES, sources=("Outlet B",),
                                    events=events))
    await make_sender().drain()
    await make_sender().drain()
    heads = {}
    for chat in (81, 82, 83):
        (msg,) = fake_bot_api.messages[chat]
        assert msg.edits == 1 and "Outlet B" in msg.plain, msg.plain  # the edit kept the filter
        heads[chat] = [line.split(" · ")[0] for line in msg.plain.split("\n")
                       if "Kazakhstan" in line]
    assert heads[81] == ["Troop deployment", "State of emergency", "Mass detention"]
    assert heads[82] == ["Mass detention"]
    assert heads[83] == ["State of emergency", "Mass detention"]


async def test_update_reaches_only_chats_that_follow_its_news_issue12(
        fake_bot_api: FakeBotAPI, outbox: Outbox, subs: SubscriberStore,
        redis_client: aioredis.Redis, keys: Keys, make_sender: SenderFactory) -> None:
    """An Update is sent to a chat only when its news is about a type and a country the
    chat follows: a new type, a risen figure or a new country of that type."""
    def det(rule: str, countries: tuple[str, ...] = ("KZ",), **figures: int) -> Detection:
        return Detection(rule=rule, countries=countries, severity=Severity.HIGH, score=1.0,
                         figures=figures, language="en")

    def entry(feed: str, minutes: int, title: str) -> Entry:
        return Entry(feed_id=feed, key=f"{feed}-1", url=f"https://{feed}.example/1",
                     title=title, text=REWRITE_A, published=t0 + timedelta(minutes=minutes),
                     language="en", content_hash=feed, source=feed.upper())

    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    await subscribe(subs, 91, rules=frozenset({"mass-detention"}))
    await subscribe(subs, 92, rules=frozenset({"troop-deployment"}))
    await subscribe(subs, 93)  # every type, every country
    await subscribe(subs, 94, countries=frozenset({"KZ"}))
    stories = StoryStore(redis_client, keys, lambda: StorySettings())
    t0 = datetime.now(UTC) - timedelta(hours=1)
    founded = await stories.ingest(
        entry("a", 0, "Almaty: 500 detained, CSTO troops arrive"),
        [det("mass-detention", detained=500), det("troop-deployment", troops=2000)], now=t0)
    # Only a new type nobody but 93 follows; the detention figure is the same.
    new_type = await stories.ingest(
        entry("b", 10, "Almaty: state of emergency, 500 detained"),
        [det("state-of-emergency"), det("mass-detention", detained=500)],
        now=t0 + timedelta(minutes=10))
    # Only the troops rise.
    troops = await stories.ingest(
        entry("c", 20, "Almaty: 5,000 CSTO troops, 500 detained"),
        [det("troop-deployment", troops=5000), det("mass-detention", detained=500)],
        now=t0 + timedelta(minutes=20))
    # Only a new country, of the detentions.
    country = await stories.ingest(
        entry("d", 30, "Detentions in Almaty and Bishkek"),
        [det("mass-detention", ("KZ", "KG"), detained=500)], now=t0 + timedelta(minutes=30))
    updates = [a for a in (*new_type, *troops, *country) if a.kind is AlertKind.UPDATE]
    assert [tuple(map(str, a.changes)) for a in updates] == [
        ("new event: state-of-emergency",), ("troops: 2,000 → 5,000",),
        ("new location: KG",)]
    assert len({a.story_id for a in (*founded, *updates)}) == 1
    for alert in (*founded, *updates):
        await outbox.publish(alert)
    await make_sender().drain()

    titles = {"Almaty: state of emergency, 500 detained": "type",
              "Almaty: 5,000 CSTO troops, 500 detained": "troops",
              "Detentions in Almaty and Bishkek": "country"}

    def updates_to(chat: int) -> list[str]:
        return [kind for m in fake_bot_api.messages[chat] if "Update:" in m.plain
                for title, kind in titles.items() if title in m.plain]

    assert all(len(fake_bot_api.messages[c]) >= 1 for c in (91, 92, 93, 94))  # the NEW one
    assert updates_to(91) == ["country"]  # the detentions' new country only
    assert updates_to(92) == ["troops"]
    assert updates_to(93) == ["type", "troops", "country"]
    assert updates_to(94) == ["type", "troops"]  # KG is not one of its countries
