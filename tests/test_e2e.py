"""The whole pipeline, end to end: a local feed server → eventwatch → the real
python-telegram-bot Application → a local fake Bot API, with a real Redis (issue 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.app import Eventwatch
from tests.fakebotapi import FakeBotAPI, fake_bot_api  # noqa: F401
from tests.feedserver import FeedServer, feed_server  # noqa: F401
from tests.reference import ALICE, BORIS, REWRITE_A, REWRITE_B, reference_feed, wire_rss
from tests.waiting import drained, until  # until: test_scaleout imports it from here


async def test_reference_article_alerts_each_subscriber_once(
    app_factory: Callable[[], Eventwatch], fake_bot_api: FakeBotAPI,  # noqa: F811
    feed_server: FeedServer,  # noqa: F811
) -> None:
    async with app_factory() as app:
        await app.start()
        try:
            fake_bot_api.command("start", user_id=ALICE, language_code="en")
            fake_bot_api.command("start", user_id=BORIS, language_code="ru")
            await until(lambda: all(fake_bot_api.texts(c) for c in (ALICE, BORIS)))
            welcome = {c: len(fake_bot_api.texts(c)) for c in (ALICE, BORIS)}

            assert app.scheduler is not None
            await app.scheduler.poll_now("wire")
            await until(lambda: all(
                len(fake_bot_api.texts(c)) >= welcome[c] + 1 for c in (ALICE, BORIS)))
            await drained(app.outbox)  # nothing more may follow
            alerts = {c: fake_bot_api.plain_texts(c)[welcome[c]:] for c in (ALICE, BORIS)}

            await app.scheduler.poll_now("wire")  # a re-poll: 304, nothing new
            await drained(app.outbox)
        finally:
            await app.stop()

    # One message per subscriber for the article, with its three event types (issue 12).
    for chat, texts in alerts.items():
        assert len(texts) == 1, texts
        head = texts[0].split("\n")[:3]
        assert all("Kazakhstan" in t or "Казахстан" in t for t in head), texts
        assert not any("Russia" in t for t in head)
        assert "2,030" in texts[0] or "2 030" in texts[0]
        assert "8,000" in texts[0] or "8 000" in texts[0]
        assert len(fake_bot_api.texts(chat)) == welcome[chat] + 1
    assert feed_server.last("/wire.xml").headers.get("If-None-Match") == '"v1"'

    # A restart polls again and sends nothing: the seen set and the stories are in Redis.
    async with app_factory() as app:
        await app.start()
        try:
            assert app.scheduler is not None
            feed_server.route("/wire.xml", body=reference_feed(), etag='"v2"')  # refetched
            await app.scheduler.poll_now("wire")
            await drained(app.outbox)
        finally:
            await app.stop()
    for chat in (ALICE, BORIS):
        assert len(fake_bot_api.texts(chat)) == welcome[chat] + 1


async def test_reference_and_two_rewrites_one_story_issue5(
    app_factory: Callable[[], Eventwatch], fake_bot_api: FakeBotAPI,  # noqa: F811
    feed_server: FeedServer, config_dir: Path,  # noqa: F811
) -> None:
    """Other outlets' rewrites edit the sent message; only the raised figure is an Update."""

    feed_server.route("/steppe.xml", body=wire_rss([(
        "CSTO summit: Putin blames 'international terrorism' for Kazakhstan unrest",
        "http://steppe.test/a-1", "Mon, 10 Jan 2022 16:40:00 +0000", REWRITE_A)]))
    feed_server.route("/eurasia.xml", body=wire_rss([(
        "Kazakhstan: detentions rise to 12,000 as CSTO leaders back Tokayev",
        "http://eurasia.test/b-1", "Mon, 10 Jan 2022 16:45:00 +0000", REWRITE_B)]))
    with (config_dir / "feeds.yaml").open("a", encoding="utf-8") as feeds:
        for name, path in (("steppe", "/steppe.xml"), ("eurasia", "/eurasia.xml")):
            feeds.write(f"  - id: {name}\n    name: {name.title()}\n"
                        f"    url: {feed_server.url(path)}\n    language: en\n")

    async with app_factory() as app:
        await app.start()
        try:
            fake_bot_api.command("start", user_id=ALICE, language_code="en")
            await until(lambda: bool(fake_bot_api.texts(ALICE)))
            assert app.scheduler is not None
            await app.scheduler.poll_now("wire")
            await until(lambda: len(fake_bot_api.texts(ALICE)) >= 2)
            await app.scheduler.poll_now("steppe")
            await until(lambda: len(fake_bot_api.edits) >= 1)
            await app.scheduler.poll_now("eurasia")
            await until(lambda: len(fake_bot_api.texts(ALICE)) >= 3)
            await drained(app.outbox)  # nothing more may follow
        finally:
            await app.stop()

    _welcome, *alerts = fake_bot_api.messages[ALICE]
    assert len(alerts) == 2, [m.plain for m in alerts]
    original, update = alerts
    assert original.edits == 1  # at most one edit per message
    assert "Also reported by: Steppe" in original.plain
    assert "8,000" in original.plain
    assert update.reply_to == original.message_id
    assert update.plain.startswith("Update") or "Update:" in update.plain
    assert "12,000" in update.plain
