"""JSON Feed 1.0 and 1.1 through the same parser interface as RSS and Atom (issue 14)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.feeds.identity import content_hash, entry_key
from bot.feeds.jsonfeed import looks_like_json, read_json
from bot.feeds.parse import parse_feed
from bot.feeds.types import ParsedFeed
from tests.feedfiles import FEED_URL, PEER

V11 = "https://jsonfeed.org/version/1.1"


def feed(*items: dict[str, Any], **top: Any) -> bytes:
    return json.dumps({"version": V11, "title": "Wire", "items": list(items), **top}).encode()


def parse(body: bytes, **kw: Any) -> ParsedFeed:
    return parse_feed(body, feed_id="j", url=FEED_URL, source="J", **kw)


def test_fields_map_like_rss() -> None:
    body = feed({
        "id": "2347259", "url": "https://news.example.kz/a?utm_source=json",
        "title": "Troops arrive in Almaty",
        "content_html": "<p>First paragraph with a <a href='/x'>link</a>.</p>"
                        "<p>Second &amp; more.</p>",
        "summary": "Short.",
        "date_published": "2026-11-24T10:00:00+05:00",
    }, language="ru-KZ")
    p = parse(body)
    assert p.error is None and p.version == "json11" and p.title == "Wire"
    (e,) = p.entries
    assert e.title == "Troops arrive in Almaty"
    assert e.text == "First paragraph with a link.\nSecond & more."
    assert e.url == "https://news.example.kz/a?utm_source=json"
    assert e.published == datetime(2026, 11, 24, 5, tzinfo=UTC)
    assert e.language == "ru" and p.language == "ru"
    assert e.feed_id == "j" and e.source == "J"
    # The same identity and version as an RSS item with that guid and those words.
    assert e.key == entry_key("2347259", e.url, e.title, e.published)
    assert e.content_hash == content_hash(e.title, e.text)


def test_content_text_is_plain_and_content_html_is_markup() -> None:
    p = parse(feed(
        {"id": "1", "url": "https://x.example/1", "content_text": "Use <div> literally: a & b < c"},
        {"id": "2", "url": "https://x.example/2", "content_html": "<p>a &amp; <b>b</b></p>"},
        {"id": "3", "title": "</example>"},
    ))
    assert [(e.title, e.text) for e in p.entries] == [
        ("", "Use <div> literally: a & b < c"), ("", "a & b"), ("</example>", "")]


def test_relative_url_external_url_numeric_id_and_dates() -> None:
    p = parse(feed(
        {"id": 42, "url": "/news/42", "title": "A", "date_modified": "2026-11-24T10:00:00Z"},
        {"id": "b", "external_url": "https://elsewhere.example/b", "title": "B",
         "date_published": "Tomorrow"},
        {"id": "c", "url": "javascript:alert(1)", "title": "C"},
    ))
    a, b, c = p.entries
    assert a.url == "https://news.example.kz/news/42" and a.key == entry_key("42", a.url, "A", None)
    assert a.published == datetime(2026, 11, 24, 10, tzinfo=UTC)
    assert b.url == "https://elsewhere.example/b" and b.published is None
    assert c.url is None  # only http(s) links are kept


def test_item_language_and_spec_language() -> None:
    body = feed({"id": "1", "title": "x", "language": "en-US"},
                {"id": "2", "title": "y"}, language="ru")
    assert [e.language for e in parse(body).entries] == ["en", "ru"]
    assert [e.language for e in parse(body, language="kk").entries] == ["kk", "kk"]


def test_duplicate_ids_follow_the_same_rules() -> None:
    p = parse(feed(
        {"id": "same", "url": "https://x.example/a", "title": "A"},
        {"id": "same", "url": "https://x.example/b", "title": "B"},
        {"id": "same", "url": "https://x.example/a", "title": "A"},  # a true repeat
    ))
    assert [e.title for e in p.entries] == ["A", "B"] and p.duplicates == 1
    assert [e.key[0] for e in p.entries] == ["g", "l"]


@pytest.mark.parametrize(("body", "content_type", "expected"), [
    (b'  \n{"version": "x"}', None, True),
    (b"\xef\xbb\xbf{}", None, True),
    (b"null", "application/json", True),
    (b"garbage", "application/feed+json; charset=utf-8", True),
    (b"<rss/>", "application/json", False),  # labelled JSON, but XML
    (b"<rss/>", None, False),
    (b"null", None, False),
])
def test_detection(body: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_json(body, content_type) is expected


@pytest.mark.parametrize(("body", "error"), [
    (b"garbage", "invalid JSON"),
    (b"null", "not a JSON Feed object"),
    (b'{"title": "no version, no items"}', "not a JSON Feed"),
    (b'{"version": "https://jsonfeed.org/version/1", "items": {}}', "items is not a list"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
])
def test_not_a_json_feed_is_an_error(body: bytes, error: str) -> None:
    p = parse(body, content_type="application/json")
    assert p.entries == () and p.error is not None and error in p.error


def test_tolerated_oddities_are_problems() -> None:
    p = parse(b'{"items": [{"id": "1", "title": "t"}, 7]}')
    assert len(p.entries) == 1 and p.problem is not None
    assert "unknown JSON Feed version" in p.problem and "not objects" in p.problem
    old_spelling = b'{"version": "http://jsonfeed.org/version/1", "items": []}'
    assert read_json(old_spelling).version == "json1"


def test_peer_json_feeds_parse() -> None:
    files = sorted(PEER.glob("*/*.json"))
    assert len(files) >= 40
    versions = {parse(f.read_bytes()).version for f in files} - {""}
    assert versions == {"json1", "json11"}


def test_date_only_published_is_a_day_issue12() -> None:
    day, timed = parse(feed(
        {"id": "1", "url": "https://x.example/1", "title": "a", "date_published": "2022-01-05"},
        {"id": "2", "url": "https://x.example/2", "title": "b",
         "date_published": "2022-01-05T10:30:00Z"},
    )).entries
    assert (day.published, day.day_only) == (datetime(2022, 1, 5, tzinfo=UTC), True)
    assert (timed.published, timed.day_only) == (datetime(2022, 1, 5, 10, 30, tzinfo=UTC), False)
