"""Story values: what the story decisions read and return.

A *story* is one event of one rule (the reference article makes three stories: a troop
deployment, a state of emergency and a mass detention, all in Kazakhstan). Each
(entry, detection) becomes a `Report`, and a report either founds a `Story` or joins
one; a `Verdict` says whether and why, an `Outcome` what the store must write. They are
frozen: a decision returns new values, and the store writes them whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.stories.similarity import Fingerprint
from bot.types import Alert
from detectors.types import Severity

MAX_MEMBERS = 4  # shingle sets kept (and LSH-indexed) per story: enough to match rewrites


@dataclass(frozen=True, slots=True)
class Report:
    """One (entry, detection) pair, reduced to what the story decisions read."""

    entry_id: str
    feed_id: str
    source: str  # the outlet; a story's sources are distinct outlets
    url: str | None
    title: str
    summary: str
    language: str | None
    published: datetime
    rule: str
    countries: tuple[str, ...]
    severity: Severity
    figures: Mapping[str, int]
    fingerprint: Fingerprint
    day_only: bool = False  # `published` is a date: the report may be from any hour of it


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    rule: str
    first: datetime  # earliest publication among its reports
    last: datetime  # latest publication among its reports
    title: str  # of the founding report: the message that was sent
    url: str | None
    source: str
    language: str | None
    summary: str
    published: datetime
    countries: tuple[str, ...]
    severity: Severity
    figures: Mapping[str, int]  # the highest value seen per figure
    alerted_countries: tuple[str, ...]
    alerted_severity: Severity
    alerted_figures: Mapping[str, int]
    sources: tuple[str, ...]  # distinct outlets, founder first
    outlet_times: tuple[float, ...]  # when each outlet first reported it (epoch seconds)
    reports: int = 1
    update_version: int = 0
    edit_version: int = 0
    edited_sources: int = 0  # other outlets shown by the last SOURCES alert
    edited_breaking: bool = False
    last_edit: float | None = None  # when the last SOURCES alert was made (epoch seconds)
    breaking: bool = False
    members: tuple[frozenset[int], ...] = ()  # shingle sets of up to MAX_MEMBERS reports
    numbers: tuple[int, ...] = ()  # counts its reports give in headline and lead
    figures_min: Mapping[str, int] = field(default_factory=dict)  # the lowest value seen
    rev: int = 0

    @property
    def others(self) -> tuple[str, ...]:
        return self.sources[1:]

    @property
    def edit_pending(self) -> bool:
        return len(self.others) != self.edited_sources or self.breaking != self.edited_breaking


@dataclass(frozen=True, slots=True)
class Verdict:
    same: bool
    score: float  # text similarity (Jaccard of shingle sets)
    reason: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a decision asks the store to write: the next story and the alerts."""

    story: Story
    alerts: tuple[Alert, ...] = ()
    new_member: frozenset[int] | None = None  # a shingle set to keep and index
    edit_due: float | None = None  # epoch seconds when a coalesced edit may go out
    clear_due: bool = False
