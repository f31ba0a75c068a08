"""The whole pipeline, end to end: a local feed server → eventwatch → the real
python-telegram-bot Application → a local fake Bot API, with a real Redis (issue 2)."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.app import Eventwatch
from bot.config.loader import load_config
from bot.config.settings import Env
from bot.store.keys import Keys
from tests.conftest import REFERENCE_ARTICLE, ROOT
from tests.fakebotapi import FakeBotAPI, fake_bot_api  # noqa: F401
from tests.feedserver import FeedServer, feed_server  # noqa: F401

ALICE, BORIS = 1001, 1002  # an English and a Russian user


def _rss(items: list[tuple[str, str, str, str]]) -> str:
    body = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(link)}</link>"
        f"<guid>{html.escape(link)}</guid><pubDate>{date}</pubDate>"
        f"<description>{html.escape(text)}</description></item>"
        for t, link, date, text in items
    )
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Wire</title><link>http://wire.test/</link>{body}</channel></rss>")


def reference_feed() -> str:
    article = REFERENCE_ARTICLE.read_text(encoding="utf-8").strip().splitlines()[:-1]  # no byline
    return _rss([
        ("Putin explains deployment of CSTO troops in Kazakhstan",
         "http://wire.test/kz-csto", "Mon, 10 Jan 2022 16:20:00 +0000", "\n".join(article)),
        ("Central bank keeps key rate unchanged", "http://wire.test/rate",
         "Mon, 10 Jan 2022 12:00:00 +0000",
         "The central bank kept its key rate at 4.5% on Monday as inflation slowed."),
    ])


async def until(condition: Callable[[], bool], seconds: float = 15.0) -> None:
    async with asyncio.timeout(seconds):
        while True:
            if condition():
                return
            await asyncio.sleep(0.02)


@pytest.fixture
def config_dir(tmp_path: Path, feed_server: FeedServer) -> Path:  # noqa: F811
    feed_server.route("/wire.xml", body=reference_feed(), etag='"v1"')
    (tmp_path / "settings.yaml").write_text(
        f"rule_paths: [{ROOT / 'config' / 'rules'}]\npoll:\n  backfill: all\n",
        encoding="utf-8")
    (tmp_path / "feeds.yaml").write_text(
        f"feeds:\n  - id: wire\n    name: The Wire\n    url: {feed_server.url('/wire.xml')}\n"
        "    language: en\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
async def app_factory(
    redis_url: str, keys: Keys, redis_client: aioredis.Redis, config_dir: Path,
    fake_bot_api: FakeBotAPI, tmp_path: Path,  # noqa: F811
) -> AsyncIterator[Callable[[], Eventwatch]]:
    env = Env(redis_url=redis_url, telegram_token=fake_bot_api.token,
              telegram_api_url=fake_bot_api.url, config_dir=config_dir,
              data_dir=tmp_path / "data")

    def make() -> Eventwatch:
        return Eventwatch(env, load_config(config_dir), keys=keys, updates_timeout=0.2)

    yield make


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
            await asyncio.sleep(0.5)  # nothing more may follow
            alerts = {c: fake_bot_api.plain_texts(c)[welcome[c]:] for c in (ALICE, BORIS)}

            await app.scheduler.poll_now("wire")  # a re-poll: 304, nothing new
            await asyncio.sleep(0.5)
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
            await asyncio.sleep(0.5)
        finally:
            await app.stop()
    for chat in (ALICE, BORIS):
        assert len(fake_bot_api.texts(chat)) == welcome[chat] + 1


async def test_reference_and_two_rewrites_one_story_issue5(
    app_factory: Callable[[], Eventwatch], fake_bot_api: FakeBotAPI,  # noqa: F811
    feed_server: FeedServer, config_dir: Path,  # noqa: F811
) -> None:
    """Other outlets' rewrites edit the sent message; only the raised figure is an Update."""
    from tests.test_stories import REWRITE_A, REWRITE_B

    feed_server.route("/steppe.xml", body=_rss([(
        "CSTO summit: Putin blames 'international terrorism' for Kazakhstan unrest",
        "http://steppe.test/a-1", "Mon, 10 Jan 2022 16:40:00 +0000", REWRITE_A)]))
    feed_server.route("/eurasia.xml", body=_rss([(
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
            await asyncio.sleep(1.0)  # nothing more may follow
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
