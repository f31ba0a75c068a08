"""RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and CDF through feedparser → a `Document`.

We switch off feedparser's HTML sanitiser and relative-URI rewriting inside markup,
and give it no base URI: we turn markup into text ourselves, so that work would be
thrown away (together they cost about 40% of feedparser's time). Relative entry
links are resolved later, against the feed's URL. feedparser's content types
(`title_detail.type` and so on) are kept: they decide what is markup.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from bot.feeds.text import is_html_type
from bot.feeds.types import Document, Item, Text, is_date_only

_PERIODS = {"hourly": 3600.0, "daily": 86400.0, "weekly": 7 * 86400.0,
            "monthly": 30 * 86400.0, "yearly": 365 * 86400.0}


def read_xml(body: bytes, content_type: str | None = None) -> Document:
    headers: dict[str, str] = {}
    if content_type:
        headers["content-type"] = content_type
    d = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    feed = d.get("feed", {})
    bozo = d.get("bozo_exception")
    # Servers often label feeds text/html or text/plain; that alone is no problem.
    benign = isinstance(bozo, feedparser.NonXMLContentType)
    problem = f"{type(bozo).__name__}: {bozo}" if d.get("bozo") and bozo and not benign else None
    if not d.entries:
        if not d.get("version"):
            kind = "an HTML page" if b"<html" in body[:4096].lower() else "unrecognised content"
            return Document(error=f"not a feed: {kind}" + (f" ({problem})" if problem else ""))
        if problem and not feed.get("title"):
            return Document(version=d.version, error=f"malformed feed: {problem}")
    declared = feed.get("language") or feed.get("title_detail", {}).get("language") or None
    return Document(
        items=tuple(_item(e) for e in d.entries),
        title=_text(feed, "title"),
        version=d.get("version") or "",
        language=str(declared) if declared else None,
        problem=problem,
        ttl=_seconds(feed.get("ttl"), 60.0),
        update_period=_update_period(feed),
    )


def _item(e: Mapping[str, Any]) -> Item:
    texts: list[Text] = []
    for c in e.get("content") or ():
        value = c.get("value") or ""
        if value:
            texts.append(Text(value, "html" if is_html_type(c.get("type")) else "text"))
    summary = _text(e, "summary")
    # An Atom entry with content and no summary gets the content as its summary, with
    # no type of its own: the content, with its type, is already there.
    if summary is not None and not (
        "summary_detail" not in e and any(t.value == summary.value for t in texts)
    ):
        texts.insert(0, summary)
    return Item(
        guid=e.get("id") or None,
        link=e.get("link") or None,
        title=_text(e, "title"),
        texts=tuple(texts),
        published=_when(e.get("published_parsed") or e.get("updated_parsed")),
        day_only=is_date_only(e.get("published") if e.get("published_parsed")
                              else e.get("updated")),
    )


def _text(node: Mapping[str, Any], name: str) -> Text | None:
    """The value and its type. Without a type from feedparser, markup is assumed, as
    before issue 14: only what the feed marks as plain text keeps its "<" and "&"."""
    value = node.get(name)
    if not value:
        return None
    detail = node.get(f"{name}_detail")
    if not detail or not detail.get("type"):
        return Text(str(value), "html")
    return Text(str(value), "html" if is_html_type(detail.get("type")) else "text")


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _seconds(value: Any, unit: float) -> float | None:
    try:
        n = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n * unit if n > 0 else None


def _update_period(feed: Mapping[str, Any]) -> float | None:
    period = feed.get("sy_updateperiod")
    if not period:
        return None
    seconds = _PERIODS.get(str(period).strip().lower())
    if seconds is None:
        return None
    try:
        freq = max(1, int(str(feed.get("sy_updatefrequency") or "1").strip()))
    except ValueError:
        freq = 1
    return seconds / freq


def warm() -> None:
    """Pay feedparser's import and first-call cost now (a worker's first feed)."""
    feedparser.parse(b"<rss version='2.0'><channel><title>x</title></channel></rss>")
