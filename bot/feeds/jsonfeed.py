"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) → a `Document`.

A small reader of our own: the format is one JSON object, the standard library reads
it, and what we need of it is a dozen fields. feedparser's last release (6.0.14) has
no JSON Feed support, and the JSON Feed packages on PyPI are either unmaintained
since 2017–2019 or strict to the point of refusing feeds without a title.

The mapping follows the spec: an item's `id` (a number is coerced to a string) is its
guid; `url`, else `external_url`, its link; `title` and `summary` are plain text;
`content_html` is markup and `content_text` plain text; `date_published`, else
`date_modified`, is RFC 3339. Like Miniflux, we read a body as JSON Feed when it is a
JSON object (whatever the Content-Type says), and accept the `http://` spelling of
the version URL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.feeds.types import Document, Item, Text, is_date_only

JSON_TYPES = frozenset({"application/feed+json", "application/json"})
_VERSIONS = {"1": "json1", "1.1": "json11"}
_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def looks_like_json(body: bytes, content_type: str | None = None) -> bool:
    """True for a body that is a JSON object, or one labelled JSON that is not XML."""
    head = body[:4096].removeprefix(_BOM).lstrip(_WHITESPACE)
    if head.startswith(b"{"):
        return True
    return _media_type(content_type) in JSON_TYPES and not head.startswith(b"<")


def read_json(body: bytes) -> Document:
    """Read a JSON Feed. Never raises on bad input: the Document says what is wrong."""
    try:
        data = json.loads(body.removeprefix(_BOM))
    except UnicodeDecodeError as exc:
        return Document(error=f"not a feed: JSON that is not UTF-8 ({exc.reason})")
    except ValueError as exc:
        return Document(error=f"not a feed: invalid JSON ({exc})")
    except RecursionError:
        return Document(error="not a feed: JSON nested too deeply")
    if not isinstance(data, dict):
        return Document(error="not a feed: JSON that is not a JSON Feed object")
    version = _version(data.get("version"))
    items = data.get("items")
    if version is None:
        if not isinstance(items, list):
            return Document(error="not a feed: a JSON object that is not a JSON Feed")
        version = "json"
    problems: list[str] = []
    if not isinstance(data.get("version"), str) or version == "json":
        problems.append(f"unknown JSON Feed version {data.get('version')!r}")
    if items is None:
        items = []
    if not isinstance(items, list):
        return Document(version=version, error="malformed JSON Feed: items is not a list")
    read: list[Item] = []
    skipped = 0
    for raw in items:
        if isinstance(raw, dict):
            read.append(_item(raw))
        else:
            skipped += 1
    if skipped:
        problems.append(f"{skipped} item(s) that are not objects")
    title = _string(data, "title")
    return Document(
        items=tuple(read),
        title=Text(title) if title else None,
        version=version,
        language=_string(data, "language"),
        problem="; ".join(problems) or None,
    )


def _version(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    for prefix in ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/"):
        if value.startswith(prefix):
            return _VERSIONS.get(value.removeprefix(prefix).strip("/"), "json")
    return None


def _item(raw: Mapping[str, Any]) -> Item:
    texts = []
    html_body = _string(raw, "content_html")
    if html_body:
        texts.append(Text(html_body, "html"))
    for name in ("content_text", "summary"):
        value = _string(raw, name)
        if value:
            texts.append(Text(value))
    title = _string(raw, "title")
    guid = raw.get("id")
    if isinstance(guid, bool) or not isinstance(guid, str | int | float):
        guid = None
    return Item(
        guid=str(guid) if guid is not None and str(guid).strip() else None,
        link=_string(raw, "url") or _string(raw, "external_url"),
        title=Text(title) if title else None,
        texts=tuple(texts),
        published=_when(raw.get("date_published")) or _when(raw.get("date_modified")),
        day_only=is_date_only(raw.get("date_published") if _when(raw.get("date_published"))
                              else raw.get("date_modified")),
        language=_string(raw, "language"),
    )


def _string(node: Mapping[str, Any], name: str) -> str | None:
    value = node.get(name)
    return value if isinstance(value, str) and value.strip() else None


def _when(value: Any) -> datetime | None:
    """RFC 3339 (Python 3.11 reads "Z" and fractions); no zone means UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
