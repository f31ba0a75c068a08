"""The recent-entries archive (issue 15): compressed entries in Redis for a window,
capped, with a TTL; written by the pipeline after the poll's alerts, never blocking them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis

from bot.app import Eventwatch
from bot.archive import EntryArchive
from bot.archive.codec import decode, encode
from bot.archive.types import ArchivedEntry
from bot.config.settings import ArchiveSettings
from bot.store.keys import Keys
from bot.stories.decisions import entry_id
from bot.types import Entry
from tests.fakebotapi import FakeBotAPI, fake_bot_api  # noqa: F401
from tests.feedserver import FeedServer, feed_server  # noqa: F401
from tests.reference import ALICE
from tests.waiting import until

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def entry(n: int, *, title: str = "", text: str = "", feed: str = "wire") -> Entry:
    return Entry(feed_id=feed, key=f"http://wire.test/{n}", url=f"http://wire.test/{n}",
                 title=title or f"Headline {n}", text=text or f"Text of item {n}. " * 5,
                 published=NOW - timedelta(hours=n), language="en", content_hash=f"h{n}",
                 source="The Wire")


def test_codec_round_trip_keeps_every_field() -> None:
    item = ArchivedEntry("abc", entry(1, title="Заголовок <b>&amp;</b>"), NOW)
    back = decode("abc", encode(item))
    assert back == item
    assert len(encode(item)) < len(repr(item).encode())


def test_codec_keeps_a_date_without_a_time_issue12() -> None:
    import json
    import zlib
    from dataclasses import replace

    day = replace(entry(1), published=datetime(2026, 1, 10, tzinfo=UTC), day_only=True)
    item = ArchivedEntry("abc", day, NOW)
    assert decode("abc", encode(item)).entry.day_only
    # Entries archived before issue 12 have no such field: exact times, as then.
    old = json.loads(zlib.decompress(encode(item)))[:11]
    back = decode("abc", zlib.compress(json.dumps(old).encode()))
    assert back.entry == replace(day, day_only=False)


async def test_keep_and_read_back_in_polling_order(redis_client: aioredis.Redis,
                                                   keys: Keys) -> None:
    archive = EntryArchive(redis_client, keys, lambda: ArchiveSettings())
    assert await archive.keep([entry(1), entry(2)], now=NOW)
    assert await archive.keep([entry(3)], now=NOW + timedelta(minutes=5))
    got = [a async for batch in archive.batches(size=2) for a in batch]
    assert [a.entry.key for a in got] == [entry(n).key for n in (1, 2, 3)]
    assert got[0].id == entry_id(entry(1))  # the stories' entry id
    assert got[2].seen == NOW + timedelta(minutes=5)
    assert await archive.count(NOW + timedelta(minutes=1)) == 1
    assert (await archive.get(got[0].id)) == got[0]
    for key in (keys.archive_entries(), keys.archive_index()):
        ttl = await redis_client.ttl(key)
        assert 0 < ttl <= 7 * 86400


async def test_an_edited_entry_replaces_its_earlier_version(redis_client: aioredis.Redis,
                                                            keys: Keys) -> None:
    archive = EntryArchive(redis_client, keys, lambda: ArchiveSettings())
    await archive.keep([entry(1, text="first version")], now=NOW)
    await archive.keep([entry(1, text="edited version")], now=NOW + timedelta(minutes=1))
    (only,) = [a async for batch in archive.batches() for a in batch]
    assert only.entry.text == "edited version"
    assert only.seen == NOW + timedelta(minutes=1)


async def test_window_and_size_cap_drop_the_oldest(redis_client: aioredis.Redis,
                                                   keys: Keys) -> None:
    small = ArchiveSettings(window=3600, max_entries=100)
    archive = EntryArchive(redis_client, keys, lambda: small)
    await archive.keep([entry(n) for n in range(5)], now=NOW)
    later = NOW + timedelta(hours=2)  # the first five fell out of the window
    await archive.keep([entry(n) for n in range(100, 205)], now=later)
    assert await archive.count() == 100  # capped: the oldest of the second batch went too
    assert await redis_client.hlen(keys.archive_entries()) == 100
    kept = [a.entry.key for batch in [b async for b in archive.batches()] for a in batch]
    assert entry(0).key not in kept and entry(204).key in kept


async def test_search_finds_words_newest_first_and_pages(redis_client: aioredis.Redis,
                                                         keys: Keys) -> None:
    archive = EntryArchive(redis_client, keys, lambda: ArchiveSettings())
    for n in range(6):
        await archive.keep([entry(n, title=f"Protest {n}" if n % 2 else f"Weather {n}")],
                           now=NOW + timedelta(minutes=n))
    page, more = await archive.search("PROTEST", limit=2)
    assert [a.entry.title for a in page] == ["Protest 5", "Protest 3"] and more
    page, more = await archive.search("protest", offset=2, limit=2)
    assert [a.entry.title for a in page] == ["Protest 1"] and not more


async def test_a_failing_write_is_counted_not_raised() -> None:
    dead = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    failures: list[int] = []
    archive = EntryArchive(dead, Keys(prefix="ewtest:dead:v1"), lambda: ArchiveSettings(),
                           on_error=lambda: failures.append(1))
    try:
        assert not await archive.keep([entry(1)], now=NOW)
    finally:
        await dead.aclose()
    assert failures == [1]


async def test_disabled_archive_writes_nothing(redis_client: aioredis.Redis, keys: Keys) -> None:
    archive = EntryArchive(redis_client, keys, lambda: ArchiveSettings(enabled=False))
    assert await archive.keep([entry(1)], now=NOW)
    assert await archive.count() == 0


async def test_the_pipeline_archives_what_it_polled_issue15(
    app_factory: Callable[[], Eventwatch], fake_bot_api: FakeBotAPI,  # noqa: F811
) -> None:
    async with app_factory() as app:
        await app.start()
        try:
            assert app.scheduler is not None
            await app.scheduler.poll_now("wire")
            await until(lambda: app.poll_tracker() is not None)
            items = [a async for batch in app.archive.batches() for a in batch]
        finally:
            await app.stop()
    titles = {a.entry.title for a in items}
    assert "Putin explains deployment of CSTO troops in Kazakhstan" in titles
    assert "Central bank keeps key rate unchanged" in titles
    assert all(a.entry.feed_id == "wire" and a.entry.text for a in items)


async def test_an_archive_outage_never_stops_an_alert_issue15(
    app_factory: Callable[[], Eventwatch], fake_bot_api: FakeBotAPI,  # noqa: F811
) -> None:
    dead = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    async with app_factory() as app:
        app.pipeline.archive = EntryArchive(dead, app.keys, lambda: ArchiveSettings(),
                                            on_error=app.metrics.archive_errors.inc)
        await app.start()
        try:
            fake_bot_api.command("start", user_id=ALICE, language_code="en")
            await until(lambda: bool(fake_bot_api.texts(ALICE)))
            welcome = len(fake_bot_api.texts(ALICE))
            assert app.scheduler is not None
            await app.scheduler.poll_now("wire")
            await until(lambda: len(fake_bot_api.texts(ALICE)) >= welcome + 1)
        finally:
            await app.stop()
            await dead.aclose()
    assert app.metrics.archive_errors._value.get() == 1
