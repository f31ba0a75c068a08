"""The feed files under tests/data/feeds and the comparable form of a parsed feed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.feeds.parse import ParsedFeed

FEEDS = Path(__file__).parent / "data" / "feeds"
PEER = FEEDS / "peer"
FEED_URL = "https://news.example.kz/rss.xml"
CASES = sorted(p for p in FEEDS.iterdir() if p.is_file() and not p.name.endswith(".json"))


def as_expected(p: ParsedFeed) -> dict[str, Any]:
    return {
        "version": p.version, "title": p.title, "error": p.error, "problem": bool(p.problem),
        "ttl": p.ttl, "update_period": p.update_period, "duplicates": p.duplicates,
        "entries": [
            {"key": e.key, "url": e.url, "title": e.title, "text": e.text,
             "published": e.published.isoformat() if e.published else None,
             "language": e.language, "content_hash": e.content_hash}
            for e in p.entries
        ],
    }
