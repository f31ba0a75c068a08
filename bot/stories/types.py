"""Story values: what the story decisions read and return.

A *story* is one real-world event, whatever rules it matches: the reference article
(a troop deployment, a state of emergency and a mass detention, all in Kazakhstan) is one
story with three event types, so a subscriber gets one message for it. Each entry with
its detections becomes one `Report`, and a report either founds a `Story` or joins one;
a `Verdict` says whether and why, an `Outcome` what the store must write. They are
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
    """One entry and every rule it matched, reduced to what the story decisions read."""

    entry_id: str
    feed_id: str
    source: str  # the outlet; a story's sources are distinct outlets
    url: str | None
    title: str
    summary: str
    language: str | None
    published: datetime
    rule: str  # the first event type: the one the message leads with ("" for none)
    countries: tuple[str, ...]  # of every event type
    severity: Severity
    figures: Mapping[str, int]
    fingerprint: Fingerprint
    day_only: bool = False  # `published` is a date: the report may be from any hour of it
    events: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # type → countries
    places: tuple[str, ...] = ()  # finest place ids below country level ("KZ/almaty")
    dates: frozenset[tuple[int, int]] = frozenset()  # (month, day) its lead mentions
    years: frozenset[int] = frozenset()  # years its lead mentions
    scopes: frozenset[str] = frozenset()  # levels of decision it names ("federal", …)
    stages: frozenset[str] = frozenset()  # stages of decision it leads with ("extended", …)
    named: tuple[str, ...] = ()  # places headline and lead name, finest ("city:KZ/almaty")
    weekdays: frozenset[int] = frozenset()  # weekdays its lead names (0 = Monday)
    names: frozenset[str] = frozenset()  # keys of the names headline and lead give
    vector: bytes = b""  # headline+lead embedding (float16), b"" when not embedded
    undated: bool = False  # judged offline with no date at all: its time says nothing
    figure_rules: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # figure → types
    severities: Mapping[str, Severity] = field(default_factory=dict)  # type → its severity

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(self.events) or ((self.rule,) if self.rule else ())


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
    # Every event type → its countries; stories stored before issue 12 have one, `rule`.
    events: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    alerted_rules: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    dates: tuple[tuple[int, int], ...] = ()
    years: tuple[int, ...] = ()
    scopes: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()  # its founder's stages of decision
    vectors: tuple[bytes, ...] = ()  # embeddings of up to MAX_MEMBERS reports
    undated: bool = False  # founded offline by an undated report (same-story)
    named: tuple[str, ...] = ()  # places its reports' headlines and leads name
    weekdays: tuple[int, ...] = ()  # weekdays its reports' leads name
    day_only: bool = False  # every report of it has a date without a time
    names: tuple[str, ...] = ()  # keys of the names its reports' headlines and leads give

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(self.events) or (self.rule,)

    @property
    def others(self) -> tuple[str, ...]:
        return self.sources[1:]

    @property
    def edit_pending(self) -> bool:
        return len(self.others) != self.edited_sources or self.breaking != self.edited_breaking


@dataclass(frozen=True, slots=True)
class Verdict:
    same: bool
    score: float  # the judge's probability that it is the same story
    reason: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a decision asks the store to write: the next story and the alerts."""

    story: Story
    alerts: tuple[Alert, ...] = ()
    new_member: frozenset[int] | None = None  # a shingle set to keep and index
    edit_due: float | None = None  # epoch seconds when a coalesced edit may go out
    clear_due: bool = False
