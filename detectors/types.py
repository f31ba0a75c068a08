"""Boundary types of the rule engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Literal


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        return cls[value.upper()]


@dataclass(frozen=True, slots=True)
class Document:
    """What the engine reads: an entry, a JSONL record or a plain-text file."""

    title: str
    text: str
    language: str | None = None  # ISO 639-1; guessed from the script when None
    url: str | None = None
    published: datetime | None = None


Level = Literal["country", "region", "city"]


@dataclass(frozen=True, slots=True)
class Place:
    """A place an event can happen in: a country, or a region or city in it."""

    id: str  # "KZ", "KZ/almaty", "KZ/almaty-region": the same in every language
    name: str  # English
    country: str  # ISO 3166-1 alpha-2
    level: Level


@dataclass(frozen=True, slots=True)
class Detection:
    rule: str
    countries: tuple[str, ...]  # ISO 3166-1 alpha-2: where the event happens
    severity: Severity
    score: float
    figures: Mapping[str, int] = field(default_factory=dict)  # e.g. {"detained": 8000}
    evidence: tuple[str, ...] = ()  # the sentences that matched, in document order
    language: str = ""
    actors: tuple[str, ...] = ()  # countries named as actors, not as the location
    approximate: tuple[str, ...] = ()  # figures given as "almost", "over", "dozens"…
    places: tuple[Place, ...] = ()  # the finest places named where it happens
