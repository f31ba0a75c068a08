"""Boundary types of the feeds stage: a feed document as read, and a feed as parsed.

A reader (`bot.feeds.xmlfeed` for RSS, Atom and RDF through feedparser,
`bot.feeds.jsonfeed` for JSON Feed) turns bytes into a `Document` of `Item`s; one
code path (`bot.feeds.parse`) then turns any `Document` into a `ParsedFeed` of
`Entry`s, so every format gets the same identity, text handling, dates and limits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from bot.types import Entry

TextKind = Literal["text", "html"]


@dataclass(frozen=True, slots=True)
class Text:
    """A piece of text as the feed typed it: "html" (HTML or XHTML markup, tags and
    entities to be turned into text) or "text" (plain text: a "<" is a character)."""

    value: str
    kind: TextKind = "text"


_CLOCK = re.compile(r"\d{1,2}:\d{2}")


def is_date_only(raw: Any) -> bool:
    """A feed's date string with no time of day ("2022-01-05", "Wed, 05 Jan 2022"):
    parsers read it as midnight UTC, which is rarely when it happened."""
    return isinstance(raw, str) and bool(raw.strip()) and not _CLOCK.search(raw)


@dataclass(frozen=True, slots=True)
class Item:
    """One item of a document, before normalisation."""

    guid: str | None
    link: str | None  # as given: possibly relative, possibly not http(s)
    title: Text | None
    texts: tuple[Text, ...]  # summary and content candidates; the longest wins
    published: datetime | None  # timezone-aware UTC
    language: str | None = None  # the item's own language, where the format has one
    day_only: bool = False  # the feed gave a date without a time: `published` is its midnight


@dataclass(frozen=True, slots=True)
class Document:
    """What a reader found in a body. `error` is set when it is not a usable feed."""

    items: tuple[Item, ...] = ()
    title: Text | None = None
    version: str = ""  # feedparser's vocabulary: rss20, atom10, rss10, ..., json1, json11
    language: str | None = None  # as declared by the feed
    problem: str | None = None  # malformed, but items were still usable
    error: str | None = None
    ttl: float | None = None  # seconds, from RSS <ttl>
    update_period: float | None = None  # seconds, from sy:updatePeriod/updateFrequency


@dataclass(frozen=True, slots=True)
class GuidLink:
    """An entry whose guid came with a link.

    Its guid alone keys it (`guid_key`) while the guid belongs to that link; a guid seen
    again with another link is another story, keyed by guid plus link (`linked_key`).
    Which of the two an entry gets depends on what was seen before: the poller decides
    (`bot.feeds.identity.resolve_guid_keys`). `tag` identifies the link; it is stored
    beside the guid key so that a later poll knows which link the guid belongs to.
    """

    guid_key: str
    linked_key: str
    tag: str


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """One parsed body. `error` is set when it yielded nothing usable."""

    entries: tuple[Entry, ...] = ()
    title: str = ""
    version: str = ""  # rss20, atom10, rss10, ... (feedparser's), json1, json11
    problem: str | None = None  # bozo message when entries were still usable
    error: str | None = None  # not a feed, or malformed with no entries
    ttl: float | None = None  # seconds, from RSS <ttl>
    update_period: float | None = None  # seconds, from sy:updatePeriod/updateFrequency
    duplicates: int = 0  # items dropped as true repeats: same identity, same words
    language: str | None = None  # as declared by the feed (two letters)
    # Entry key → its guid and link, for entries whose key the seen set may change.
    guid_links: Mapping[str, GuidLink] = field(default_factory=dict)
    useless: int = 0  # items with no title, no text and no web link: dropped
