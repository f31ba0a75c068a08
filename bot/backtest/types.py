"""What a backtest finds: hits, the stories they make, counts and the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.archive.types import ArchivedEntry
from detectors.explain import RuleExplanation
from detectors.types import Detection


class Change(StrEnum):
    NEW = "new"  # the given rule fires; no installed rule of its id does
    SAME = "same"  # the installed rule of its id fires too
    LOST = "lost"  # the installed rule fires, the given rule of its id does not
    UNCOMPARED = "-"  # no comparison was asked for


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule firing on one archived entry (a lost hit: the installed rule's detection)."""

    item: ArchivedEntry
    detection: Detection
    change: Change
    story: str = ""  # the story it joins, in this backtest
    explanation: RuleExplanation | None = None  # with --explain: the given rule's reasons


@dataclass(frozen=True, slots=True)
class StoryGroup:
    """The hits one story gathers, as the live story decisions would merge them."""

    id: str
    rule: str
    title: str
    url: str | None
    countries: tuple[str, ...]
    figures: dict[str, int]
    first: datetime
    last: datetime
    sources: tuple[str, ...]
    hits: tuple[Hit, ...]
    updates: int  # "Update: …" alerts it would have sent after the first one
    breaking: bool


@dataclass(frozen=True, slots=True)
class Count:
    key: str  # a rule id or a country code
    hits: int
    stories: int
    new: int
    lost: int


@dataclass(frozen=True, slots=True)
class BacktestResult:
    since: datetime | None
    until: datetime
    entries: int  # archived entries read
    rules: tuple[str, ...]  # the rules tried
    compared: tuple[str, ...]  # those also installed: their hits are compared
    hits: tuple[Hit, ...]  # in polling order
    lost: tuple[Hit, ...]
    stories: tuple[StoryGroup, ...]  # newest first
    by_rule: tuple[Count, ...]
    by_country: tuple[Count, ...]
    seconds: float

    @property
    def new(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if h.change is Change.NEW)
