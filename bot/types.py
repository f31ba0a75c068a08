"""Boundary types of the application: Entry → (Detection) → Story/Alert → Delivery."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from detectors.types import Detection, Document


@dataclass(frozen=True, slots=True)
class Entry:
    """One feed item, normalised. `key` is its identity, `content_hash` its version."""

    feed_id: str
    key: str  # stable identity within the feed: guid, else canonical link, else hash
    url: str | None
    title: str
    text: str  # clean text: summary or content, HTML removed
    published: datetime | None  # timezone-aware UTC
    language: str | None
    content_hash: str
    source: str = ""  # the outlet's display name

    def document(self) -> Document:
        return Document(
            title=self.title,
            text=self.text,
            language=self.language,
            url=self.url,
            published=self.published,
        )


class AlertKind(StrEnum):
    NEW = "new"  # the first alert of a story
    UPDATE = "update"  # materially new information on a story already alerted
    SOURCES = "sources"  # more outlets report it: edit the sent message


@dataclass(frozen=True, slots=True)
class Alert:
    """What the outbox carries: one story event, rendered per chat by the sender."""

    id: str  # unique and stable: the outbox and delivery records key on it
    kind: AlertKind
    story_id: str
    rule: str
    countries: tuple[str, ...]
    severity: str
    title: str
    summary: str
    figures: Mapping[str, int] = field(default_factory=dict)
    url: str | None = None
    source: str = ""
    published: datetime | None = None
    language: str | None = None
    sources: tuple[str, ...] = ()  # other outlets reporting the story
    breaking: bool = False
    created: datetime | None = None
    changes: tuple[str, ...] = ()  # UPDATE: what is materially new, e.g. "detained: 8,000 → 12,000"


__all__ = ["Alert", "AlertKind", "Detection", "Document", "Entry"]
