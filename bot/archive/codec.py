"""An archived entry as bytes: a JSON array, zlib-compressed.

An array, not an object: field names repeated in every entry would cost more than the
compression saves on short items. The first element is the format version, so an
entry written by another version is recognised (and skipped) instead of misread. A
twelfth element, 1 when `published` is a date without a time, was added in issue 12;
entries written before it have eleven and read as exact times.
"""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime

from bot.archive.types import ArchivedEntry
from bot.times import iso, moment
from bot.types import Entry

VERSION = 1
LEVEL = 6  # zlib's default: level 9 saves under 1% more here and writes slower (bench)


class UnreadableEntry(ValueError):
    """Bytes that are not an archived entry of this format."""


def encode(item: ArchivedEntry) -> bytes:
    e = item.entry
    row = [VERSION, e.feed_id, e.key, e.url, e.title, e.text,
           iso(e.published) if e.published else None, e.language, e.content_hash, e.source,
           round(item.seen.timestamp(), 3), int(e.day_only)]
    return zlib.compress(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode(),
                         LEVEL)


def decode(archive_id: str, blob: bytes) -> ArchivedEntry:
    try:
        row = json.loads(zlib.decompress(blob))
    except (zlib.error, ValueError) as exc:
        raise UnreadableEntry(f"archived entry {archive_id}: {exc}") from exc
    if not isinstance(row, list) or not row or row[0] != VERSION or len(row) not in (11, 12):
        raise UnreadableEntry(f"archived entry {archive_id}: unknown format")
    _, feed_id, key, url, title, text, published, language, content_hash, source, seen = row[:11]
    day_only = len(row) == 12 and bool(row[11]) and published is not None
    entry = Entry(feed_id=feed_id, key=key, url=url, title=title, text=text,
                  published=moment(published), language=language,
                  content_hash=content_hash, source=source, day_only=day_only)
    return ArchivedEntry(archive_id, entry, datetime.fromtimestamp(float(seen), UTC))
