"""Boundary types of the application: Entry → (Detection) → Story/Alert → Delivery.

An `Alert` crosses Redis twice, in the delivery outbox and in the stories' replay
copies, so its JSON codec (`encode_alert`, `decode_alert`) sits beside it: stories need
nothing from delivery to store an alert.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any, get_args, get_origin, get_type_hints

from bot.times import moment
from detectors.types import Detection, Document, Severity


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
    day_only: bool = False  # `published` is a date without a time (a whole day, not midnight)

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


class ChangeKind(StrEnum):
    EVENT = "event"  # a new event type in the story: `key` is its rule
    FIGURE = "figure"  # a figure rose materially: `key` its name, `old` → `new`
    LOCATION = "location"  # new countries: `countries`
    SEVERITY = "severity"  # `old` → `new`, as severity labels
    NOTE = "note"  # an alert queued before changes were data: `key` is its text


@dataclass(frozen=True, slots=True)
class Change:
    """One materially new fact of an UPDATE, as data: each reader sees it in their
    language, with the rule titles they know; `str()` is the operator's English."""

    kind: ChangeKind
    key: str = ""
    old: int | str | None = None
    new: int | str | None = None
    countries: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.kind is ChangeKind.EVENT:
            return f"new event: {self.key}"
        if self.kind is ChangeKind.LOCATION:
            return "new location: " + ", ".join(self.countries)
        if self.kind is ChangeKind.FIGURE:
            return f"{self.key}: {self.old:,} → {self.new:,}"
        if self.kind is ChangeKind.SEVERITY:
            return f"severity: {self.old} → {self.new}"
        return self.key

    @classmethod
    def decode(cls, value: str | Mapping[str, Any]) -> Change:
        if isinstance(value, str):
            return cls(ChangeKind.NOTE, value)
        return cls(ChangeKind(value["kind"]), value.get("key", ""), value.get("old"),
                   value.get("new"), tuple(value.get("countries", ())))


@dataclass(frozen=True, slots=True)
class Alert:
    """What the outbox carries: one story event, rendered per chat by the sender."""

    id: str  # unique and stable: the outbox and delivery records key on it
    kind: AlertKind
    story_id: str
    rule: str
    countries: tuple[str, ...]
    severity: Severity
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
    changes: tuple[Change, ...] = ()  # UPDATE: what is materially new
    # Every event type of the story → its countries (one message lists them all); empty in
    # alerts queued before issue 12, whose one type is `rule`.
    events: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # UPDATE: the event types its news is about → the countries it concerns; a chat gets
    # the update only if it follows one such pair. Empty: about the whole story.
    news: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(self.events) or (self.rule,)


def detection_json(det: Detection) -> dict[str, Any]:
    """A detection as `eventwatch detect` and `eventwatch backtest` print it."""
    return {
        "rule": det.rule,
        "countries": list(det.countries),
        "severity": det.severity.label,
        "score": det.score,
        "figures": dict(det.figures),
        "approximate": list(det.approximate),
        "evidence": list(det.evidence),
        "actors": list(det.actors),
        "language": det.language,
    }


def encode_alert(alert: Alert) -> str:
    """JSON of every Alert field, so a new field can't be silently dropped on the way."""
    data = {f.name: _plain(getattr(alert, f.name)) for f in dataclasses.fields(Alert)}
    return json.dumps(data, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Severity):
        return value.label
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Change):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(Change)}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


_ALERT_TYPES = get_type_hints(Alert)


def decode_alert(raw: str | bytes) -> Alert:
    data: dict[str, Any] = json.loads(raw)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Alert):
        if f.name not in data:
            continue  # an alert queued by an older version: the field's default
        value, hint = data[f.name], _ALERT_TYPES[f.name]
        if f.name == "kind":
            value = AlertKind(value)
        elif f.name == "severity":
            value = Severity.parse(value) if isinstance(value, str) else Severity(value)
        elif f.name == "figures":
            value = {k: int(v) for k, v in (value or {}).items()}
        elif f.name == "changes":
            value = tuple(Change.decode(v) for v in value or ())
        elif f.name in ("events", "news"):
            value = {k: tuple(v) for k, v in (value or {}).items()}
        elif datetime in get_args(hint) or hint is datetime:
            value = moment(value)
        elif get_origin(hint) is tuple:
            value = tuple(value or ())
        values[f.name] = value
    return Alert(**values)


__all__ = ["Alert", "AlertKind", "Change", "ChangeKind", "Detection", "Document", "Entry",
           "decode_alert", "detection_json", "encode_alert"]
