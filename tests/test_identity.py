"""Entry identity across polls when feeds repeat guids (issue 14): the pure resolver,
then the poller over a local feed server and a real Redis, including the upgrade of a
seen set written before link tags existed."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from html import escape

import pytest
import redis.asyncio as aioredis

from bot.config.settings import FeedSpec, PollSettings
from bot.feeds.fetch import Fetcher
from bot.feeds.identity import entry_key, link_tag, linked_key, resolve_guid_keys
from bot.feeds.parse import Parser, parse_feed
from bot.feeds.poll import Poller
from bot.feeds.types import ParsedFeed
from bot.store.keys import Keys
from bot.store.seen import SeenRecord
from tests.feedserver import FeedServer

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SETTINGS = PollSettings(timeout=2, connect_timeout=1)
GUID = "https://cms.example.org/"  # a CMS that gives every story the site's URL as guid


def story(slug: str, title: str | None = None, text: str | None = None, *,
          guid: str = GUID, published: datetime | None = None) -> str:
    when = published or NOW - 3 * HOUR
    return (f"<item><guid isPermaLink='false'>{escape(guid)}</guid>"
            f"<link>https://cms.example.org/{slug}</link>"
            f"<title>{escape(title or f'Story {slug}')}</title>"
            f"<description>{escape(text or f'Text of {slug}.')}</description>"
            f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>")


def rss(*items: str) -> str:
    return ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            "<title>CMS</title><link>https://cms.example.org/</link>"
            + "".join(items) + "</channel></rss>")


# -- the resolver ---------------------------------------------------------------

def parsed(*items: str) -> ParsedFeed:
    return parse_feed(rss(*items).encode(), feed_id="f", url="https://cms.example.org/rss")


def test_unknown_guid_goes_to_the_first_link() -> None:
    p = parsed(story("a"), story("b"))
    got = resolve_guid_keys(p.entries, p.guid_links, {})
    assert [got.keys[e.key] for e in p.entries] == [e.key for e in p.entries]
    assert got.inherited == frozenset()


def test_guid_key_goes_back_to_its_link_when_a_story_is_prepended() -> None:
    before = parsed(story("a"), story("b"))
    a, b = before.entries
    seen = {a.key: SeenRecord(a.content_hash, 1, link_tag(a.url or "")),
            b.key: SeenRecord(b.content_hash, 1)}
    after = parsed(story("c"), story("a"), story("b"))
    got = resolve_guid_keys(after.entries, after.guid_links, seen)
    c_, a_, b_ = (got.keys[e.key] for e in after.entries)
    assert (a_, b_) == (a.key, b.key)
    assert c_ == linked_key(a.key, "https://cms.example.org/c")


def test_changed_link_with_same_words_keeps_the_guid_key() -> None:
    before = parsed(story("a"))
    (a,) = before.entries
    seen = {a.key: SeenRecord(a.content_hash, 1, link_tag(a.url or ""))}
    after = parsed(story("a-renamed", title="Story a", text="Text of a."))
    assert resolve_guid_keys(after.entries, after.guid_links, seen).keys == {a.key: a.key}


def test_untagged_guid_key_decides_as_before_and_marks_the_rest_inherited() -> None:
    p = parsed(story("new"), story("a"), story("b"))
    gkey = entry_key(GUID, None, None, None)
    a = p.entries[1]
    got = resolve_guid_keys(p.entries, p.guid_links, {gkey: SeenRecord(a.content_hash, 1)})
    assert got.keys[a.key] == gkey  # the entry with the stored words
    assert sorted(got.inherited) == sorted(
        linked_key(gkey, f"https://cms.example.org/{s}") for s in ("new", "b"))


# -- across polls -------------------------------------------------------------------

@pytest.fixture
async def poller(redis_client: aioredis.Redis, keys: Keys) -> AsyncIterator[Poller]:
    async with Fetcher(SETTINGS, trust_env=False) as fetcher:
        with Parser("inline") as parser:
            yield Poller(redis_client, keys, lambda: SETTINGS, fetcher, parser)


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as s:
        yield s


async def test_reused_guid_is_stable_across_polls_issue14(
    server: FeedServer, poller: Poller
) -> None:
    route = server.route("/f.xml", body=rss(story("a"), story("b")))
    feed = FeedSpec(id="f", url=server.url("/f.xml"))
    first = await poller.poll(feed, now=NOW)
    assert first.suppressed == 2 and first.entries == ()

    route.body = rss(story("c"), story("a"), story("b"))  # a new story, prepended
    second = await poller.poll(feed, now=NOW + HOUR)
    assert [e.title for e in second.entries] == ["Story c"] and second.edited == frozenset()
    await poller.commit(second, now=NOW + HOUR)

    route.body = rss(story("b"), story("c"), story("a"))  # reordered: nothing new
    assert (await poller.poll(feed, now=NOW + 2 * HOUR)).entries == ()

    route.body = rss(story("c"), story("a", text="Text of a, corrected."), story("b"))
    edit = await poller.poll(feed, now=NOW + 3 * HOUR)
    assert [e.title for e in edit.entries] == ["Story a"]
    assert edit.edited == {edit.entries[0].key}


async def test_later_story_under_reused_guid_is_new_not_an_edit_issue14(
    server: FeedServer, poller: Poller
) -> None:
    """A feed that shows only its latest story, always under the same guid."""
    route = server.route("/f.xml", body=rss(story("a")))
    feed = FeedSpec(id="f", url=server.url("/f.xml"))
    await poller.poll(feed, now=NOW)
    route.body = rss(story("b"))
    result = await poller.poll(feed, now=NOW + HOUR)
    assert [e.title for e in result.entries] == ["Story b"]
    assert result.edited == frozenset()  # a new entry: its detections alert
    await poller.commit(result, now=NOW + HOUR)
    route.body = rss(story("b", text="Text of b, corrected."))
    edit = await poller.poll(feed, now=NOW + 2 * HOUR)
    assert edit.edited == {edit.entries[0].key}  # same guid, same link: an edit


async def test_changed_link_with_same_words_is_not_news_issue14(
    server: FeedServer, poller: Poller
) -> None:
    route = server.route("/f.xml", body=rss(story("a?session=1", title="A", text="T")))
    feed = FeedSpec(id="f", url=server.url("/f.xml"))
    await poller.poll(feed, now=NOW)
    route.body = rss(story("a?session=2", title="A", text="T"))
    assert (await poller.poll(feed, now=NOW + HOUR)).entries == ()


async def _forget_tags(redis_client: aioredis.Redis, keys: Keys) -> None:
    """Rewrite the seen set as the version before issue 14 wrote it: no link tags."""
    seen = keys.seen_set("f")
    raw = await redis_client.hgetall(seen)
    old = {k: f"{r.content_hash} {r.hour}"
           for k, r in ((k, SeenRecord.decode(v)) for k, v in raw.items())}
    await redis_client.hset(seen, mapping=old)  # type: ignore[arg-type]


async def test_upgrade_keeps_seen_entries_and_finds_new_ones_issue14(
    server: FeedServer, poller: Poller, redis_client: aioredis.Redis, keys: Keys,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The old identity kept only the first item of a guid. After the upgrade: the
    entry it saw stays seen (under its old key), the items it dropped are taken as
    seen, a story published since the last poll alerts, and from then on the link
    decides."""
    route = server.route("/f.xml", body=rss(story("a")))
    feed = FeedSpec(id="f", url=server.url("/f.xml"))
    await poller.poll(feed, now=NOW)  # the seen set holds the guid key, for "a"
    await _forget_tags(redis_client, keys)
    gkey = entry_key(GUID, None, None, None)
    assert SeenRecord.decode(await redis_client.hget(keys.seen_set("f"), gkey)).tag is None

    route.body = rss(story("fresh", published=NOW + HOUR / 2), story("a"),
                     story("dropped", published=NOW - 5 * HOUR))
    with caplog.at_level(logging.INFO, logger="bot.feeds.poll"):
        upgrade = await poller.poll(feed, now=NOW + HOUR)
    assert [e.title for e in upgrade.entries] == ["Story fresh"]
    assert upgrade.suppressed == 1  # "dropped": in the feed before, never news
    assert "previous identity dropped as repeats" in caplog.text
    await poller.commit(upgrade, now=NOW + HOUR)
    stored = SeenRecord.decode(await redis_client.hget(keys.seen_set("f"), gkey))
    assert stored.tag == link_tag("https://cms.example.org/a")  # the guid belongs to "a"

    route.body = rss(story("newer"), story("fresh", published=NOW + HOUR / 2), story("a"),
                     story("dropped", published=NOW - 5 * HOUR))
    after = await poller.poll(feed, now=NOW + 2 * HOUR)
    assert [e.title for e in after.entries] == ["Story newer"]


async def test_upgrade_of_a_feed_with_unique_guids_changes_nothing_issue14(
    server: FeedServer, poller: Poller, redis_client: aioredis.Redis, keys: Keys
) -> None:
    body = rss(*(story(s, guid=f"id-{s}") for s in "abc"))
    route = server.route("/f.xml", body=body)
    feed = FeedSpec(id="f", url=server.url("/f.xml"))
    await poller.poll(feed, now=NOW)
    before = set(await redis_client.hkeys(keys.seen_set("f")))
    await _forget_tags(redis_client, keys)
    route.body = body.replace("Text of b.", "Text of b, corrected.")
    result = await poller.poll(feed, now=NOW + HOUR)
    assert [e.title for e in result.entries] == ["Story b"] and len(result.edited) == 1
    assert set(await redis_client.hkeys(keys.seen_set("f"))) == before


async def test_duplicates_recorded_and_logged_once_per_feed_issue14(
    server: FeedServer, poller: Poller, redis_client: aioredis.Redis, keys: Keys,
    caplog: pytest.LogCaptureFixture,
) -> None:
    route = server.route("/f.xml", body=rss(story("a"), story("a"), story("b", guid="x")))
    feed = FeedSpec(id="f", url=server.url("/f.xml"))
    with caplog.at_level(logging.INFO, logger="bot.feeds.poll"):
        first = await poller.poll(feed, now=NOW)
        route.body = rss(story("a"), story("a"), story("c", guid="y"))  # parsed again
        second = await poller.poll(feed, now=NOW + HOUR)
    assert first.duplicates == second.duplicates == 1
    assert caplog.text.count("feed repeats entries") == 1
    raw = await redis_client.hget(keys.feed_state("f"), "duplicates")
    assert raw == b"1"
    route.body = rss(story("a"))
    with caplog.at_level(logging.INFO, logger="bot.feeds.poll"):
        third = await poller.poll(feed, now=NOW + 2 * HOUR)
    assert third.duplicates == 0 and "no longer repeats" in caplog.text
