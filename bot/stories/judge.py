"""Same story? Meaning and facts, weighed by a small fitted model (pure: no I/O).

A report is compared with a story by what both say:
- meaning: the cosine of multilingual sentence embeddings of headline and lead
  (`bot.stories.embed`), so a Russian rewrite of an English report is close;
- wording: the Jaccard similarity of their shingle sets (syndicated copies);
- facts that must agree: a shared event type, the place at the finest level both name
  (a city or region of a shared country; "Almaty" and "Almaty region" differ), figures
  that agree or rise, the dates their leads mention, and how far apart they were
  published (a date without a time is a whole day; and, taken at its midday, whether
  they were published on different days);
- evidence from headline and lead whatever rule matched: the places they name
  (`bot.stories.places`), the names they give in either script (none in common is
  evidence against), the counts both give and, when a side has only a date or no time,
  the weekdays.

Facts in `VETOES` that disagree decide alone: different stories. Otherwise each
comparison is a vector of `FEATURES`; a logistic regression fitted on the tuning
part of the labelled sets (`bench/fit_judge.py`; the holdout is never used) turns it
into a probability, stored as data in `data/judge.json`. `eventwatch same-story` and
the live store both call `verdict`, so they decide alike.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.stories.places import country_of

WEIGHTS = Path(__file__).resolve().parent / "data" / "judge.json"

# Facts that must agree: any of these makes two reports different stories, whatever
# else they share (in the labelled tuning pairs, under 1% of such pairs are one story).
# figure_falls: a later report with a count well below the story's is another, smaller
# incident. Only a later one: a report published before the story, or with no time,
# may give an earlier, partial tally (most of the falls that were one story).
# lead_year_conflict: a side with no time whose lead names years, none of them the year
# the other side was published in (and that side's lead names none).
# stage_conflict: one leads with a decision declared, the other with it extended or lifted
# (none of the labelled same-story pairs, 19 of the wrong merges of the tuning part).
VETOES = ("type_conflict", "country_conflict", "place_conflict", "figure_falls",
          "year_conflict", "lead_year_conflict", "stage_conflict")
# Evidence weighs differently when one side has no time (most misses and wrong merges
# are such pairs): each of these also enters multiplied by `undated`.
UNDATED_INTERACTIONS = (
    "cosine", "jaccard", "jaccard_sqrt", "place_shared", "figure_agrees", "numbers_conflict",
    "date_shared", "date_conflict", "type_shared", "type_one_sided", "scope_conflict",
    "place_one_sided",
)
FEATURES = (
    "cosine", "cosine_untyped", "jaccard", "jaccard_sqrt", "type_shared", "type_one_sided",
    "place_shared", "place_one_sided", "figure_agrees", "numbers_conflict", "date_shared",
    "date_conflict", "days_apart", "undated", "scope_conflict",
    "named_shared", "named_apart", "named_no_country", "weekday_shared", "weekday_conflict",
    "names_apart", "numbers_shared", "day_gap", "other_day",
    *(f"{k}_undated" for k in UNDATED_INTERACTIONS),
)
# The direction each piece of evidence may push, whatever the fit says: the labelled sets
# hold confusable neighbours on purpose (same-day decrees naming the same date), and a
# fit left free learnt "both leads name the same date" as evidence against.
SIGNS: Mapping[str, int] = {
    "cosine": 1, "type_shared": 1, "place_shared": 1, "figure_agrees": 1, "date_shared": 1,
    "named_shared": 1, "weekday_shared": 1, "numbers_shared": 1,
    "numbers_conflict": -1, "date_conflict": -1, "days_apart": -1, "scope_conflict": -1,
    "named_apart": -1, "named_no_country": -1, "weekday_conflict": -1, "names_apart": -1,
    "day_gap": -1, "other_day": -1,
}
# Published on another day: the moments (a date at its midday) 18 hours or more apart.
# Successive protest nights or decrees each dated only by their day have whole-day spans
# that overlap, so `days_apart` is 0 for them; this still tells them apart.
OTHER_DAY = 0.75
COSINE_FLOOR = 0.8  # e5 puts unrelated news near 0.75-0.8: the scale starts there
MAX_DAYS = 7.0


@dataclass(frozen=True, slots=True)
class Facts:
    """What the judge reads of one side: a report, or a story (its members together)."""

    vectors: tuple[bytes, ...] = ()  # float16 unit embeddings, one per kept member
    tokens: tuple[frozenset[int], ...] = ()  # shingle sets, one per kept member
    events: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # type → countries
    places: tuple[str, ...] = ()  # places below country level: "city:KZ/almaty"
    figures: Mapping[str, int] = field(default_factory=dict)  # highest value per figure
    figures_min: Mapping[str, int] = field(default_factory=dict)
    numbers: frozenset[int] = frozenset()  # counts in headline and lead
    dates: frozenset[tuple[int, int]] = frozenset()  # (month, day) the lead mentions
    years: frozenset[int] = frozenset()  # years the lead mentions
    scopes: frozenset[str] = frozenset()  # levels of decision: federal, regional, …
    stages: frozenset[str] = frozenset()  # stages of decision: declared, extended, lifted
    named: tuple[str, ...] = ()  # places headline and lead name, finest: "city:KZ/almaty"
    weekdays: frozenset[int] = frozenset()  # weekdays the lead names (0 = Monday)
    names: frozenset[str] = frozenset()  # keys of the names headline and lead give
    span: tuple[float, float] | None = None  # publication, epoch s (a day for a date)
    day_only: bool = False  # published with a date and no time (a story: all its reports)
    moments: tuple[float, float] | None = None  # first and last publication, a date at midday


@dataclass(frozen=True, slots=True)
class Judgement:
    same: bool
    probability: float
    features: Mapping[str, float]
    reason: str


@dataclass(frozen=True, slots=True)
class Model:
    weights: Mapping[str, float]
    bias: float
    threshold: float = 0.5

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Model:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(dict(data["weights"]), float(data["bias"]), float(data["threshold"]))


@lru_cache(maxsize=1)
def default_model() -> Model:
    return Model.load()


def vector(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype="<f2").astype(np.float32)


def cosine(a: Sequence[bytes], b: Sequence[bytes]) -> float:
    if not a or not b:
        return COSINE_FLOOR
    return max(float(vector(x) @ vector(y)) for x in a for y in b)


def _jaccard(a: Sequence[frozenset[int]], b: Sequence[frozenset[int]]) -> float:
    best = 0.0
    for x in a:
        for y in b:
            if x and y:
                best = max(best, len(x & y) / len(x | y))
    return best


def _countries(facts: Facts) -> set[str]:
    return {c for cs in facts.events.values() for c in cs}


def _apart(a: Sequence[str], b: Sequence[str]) -> bool:
    """Two cities, or two regions, and none in common ("city:KZ/almaty", "city:KZ/shymkent");
    a city on one side and a region on the other says nothing (the city may be in it)."""
    for level in ("city:", "region:"):
        mine = {p for p in a if p.startswith(level)}
        theirs = {p for p in b if p.startswith(level)}
        if mine and theirs and not mine & theirs:
            return True
    return False


def _places(a: Facts, b: Facts) -> tuple[bool, bool, bool]:
    """(shared, conflict, one-sided) for the places below country level.

    Compared level by level: two cities, or two regions, of which none is shared is a
    conflict ("Almaty" and "Shymkent"); a city on one side and a region on the other
    says nothing (the city may be in it). One-sided: only one side names a place below
    its country (a city's decree against a nationwide one)."""
    shared = bool(set(a.places) & set(b.places))
    conflict = _apart(a.places, b.places)
    return shared, conflict and not shared, bool(a.places) != bool(b.places)


def _named(a: Facts, b: Facts) -> tuple[bool, bool, bool]:
    """(same place, places apart, no common country) of the places headlines and leads
    name, whatever rule matched: a city or region both name; cities (or regions) both
    name and none in common; countries both name and none in common."""
    shared = any(not p.startswith("country:") for p in set(a.named) & set(b.named))
    apart = _apart(a.named, b.named)
    ca, cb = {country_of(p) for p in a.named}, {country_of(p) for p in b.named}
    return shared, apart and not shared, bool(ca and cb and not ca & cb)


def _published_weekdays(span: tuple[float, float]) -> frozenset[int]:
    """The weekdays a report published in `span` may call its event's: its day and the
    day before (a date-only span is centred on its day)."""
    day = datetime.fromtimestamp((span[0] + span[1]) / 2, UTC).weekday()
    return frozenset({day, (day - 1) % 7})


def _weekdays(a: Facts, b: Facts) -> tuple[bool, bool]:
    """(same, different) weekday of the event, when a side with only a date or no time
    names one: against the other side's named weekdays, else its days of publication."""
    if not (_loose(a) or _loose(b)):
        return False, False
    mine, theirs = set(a.weekdays), set(b.weekdays)
    if not (mine or theirs):
        return False, False
    if not mine and a.span is not None:
        mine = set(_published_weekdays(a.span))
    if not theirs and b.span is not None:
        theirs = set(_published_weekdays(b.span))
    if not (mine and theirs):
        return False, False
    return bool(mine & theirs), not mine & theirs


def _loose(f: Facts) -> bool:
    """No time of day: a date only, or nothing at all."""
    return f.span is None or f.day_only


def _figures(report: Facts, story: Facts, tolerance: float) -> tuple[bool, bool]:
    """(agree, falls): a figure the story gave or the count rising; or, in a report
    known to be no earlier than the story, a count well below the story's lowest."""
    agree = falls = False
    later = (report.span is not None and story.span is not None
             and report.span[0] >= story.span[0])
    for name, value in report.figures.items():
        low = story.figures_min.get(name, story.figures.get(name))
        if low is None:
            continue
        if value >= low * (1 - tolerance):
            agree = True
        else:
            falls = later
    return agree, falls and not agree


def _days_between(a: tuple[float, float] | None,
                  b: tuple[float, float] | None) -> float | None:
    """Days between two (first, last) ranges of epoch seconds, capped; None for undated."""
    if a is None or b is None:
        return None
    gap = max(0.0, a[0] - b[1], b[0] - a[1])
    return min(gap / 86400, MAX_DAYS)


def _calendar_days(span: tuple[float, float]) -> frozenset[tuple[int, int]]:
    """The (month, day)s a report published in `span` may name as its event's day: the
    days of the span and the day before (news of last night, of yesterday)."""
    first = datetime.fromtimestamp(span[0], UTC).date() - timedelta(days=1)
    last = datetime.fromtimestamp(span[1], UTC).date()
    days = min((last - first).days, 8)
    return frozenset(((first + timedelta(days=i)).month, (first + timedelta(days=i)).day)
                     for i in range(days + 1))


def _dates(report: Facts, story: Facts) -> tuple[bool, bool]:
    """(shared, conflict) of the dates the leads name. A side with no publication time
    is placed by its lead's dates: they are compared with the other side's days too."""
    mine, theirs = set(report.dates), set(story.dates)
    if report.span is None and story.span is not None and mine:
        theirs |= _calendar_days(story.span)
    if story.span is None and report.span is not None and theirs:
        mine |= _calendar_days(report.span)
    return bool(mine & theirs), bool(mine) and bool(theirs) and not mine & theirs


def _lead_year_conflict(a: Facts, b: Facts) -> bool:
    """A side with no time is placed by the years its lead names: none of them is a year
    the other side was published in (when that one's lead names no year of its own)."""
    for x, y in ((a, b), (b, a)):
        if x.span is None and y.span is not None and x.years and not y.years:
            published = {datetime.fromtimestamp(t, UTC).year for t in y.span}
            if not published & x.years:
                return True
    return False


def features(report: Facts, story: Facts, *, tolerance: float = 0.2) -> dict[str, float]:
    shared_types = set(report.events) & set(story.events)
    typed = bool(report.events) and bool(story.events)
    ca, cb = _countries(report), _countries(story)
    place_shared, place_conflict, one_sided = _places(report, story)
    agree, falls = _figures(report, story, tolerance)
    days = _days_between(report.span, story.span)
    # the moments (a date at its midday) tell apart successive days each dated only by
    # their day, whose whole-day spans overlap
    gap = _days_between(report.moments, story.moments) or 0.0
    date_shared, date_conflict = _dates(report, story)
    named_shared, named_apart, named_no_country = _named(report, story)
    weekday_shared, weekday_conflict = _weekdays(report, story)
    cos = (cosine(report.vectors, story.vectors) - COSINE_FLOOR) / (1 - COSINE_FLOOR)
    jac = _jaccard(report.tokens, story.tokens)
    f = {
        "cosine": cos,
        "cosine_untyped": cos * (not report.events and not story.events),
        "jaccard": jac,
        "jaccard_sqrt": math.sqrt(jac),
        "type_shared": float(bool(shared_types)),
        "type_conflict": float(typed and not shared_types),
        "type_one_sided": float(bool(report.events) != bool(story.events)),
        "country_conflict": float(bool(ca) and bool(cb) and not ca & cb),
        "place_shared": float(place_shared),
        "place_conflict": float(place_conflict),
        "place_one_sided": float(one_sided),
        "figure_agrees": float(agree),
        "figure_falls": float(falls),
        "numbers_conflict": float(bool(report.numbers) and bool(story.numbers)
                                  and not report.numbers & story.numbers),
        "numbers_shared": float(bool(report.numbers & story.numbers)),
        "names_apart": float(bool(report.names) and bool(story.names)
                             and not report.names & story.names),
        "date_shared": float(date_shared),
        "date_conflict": float(date_conflict),
        "days_apart": days or 0.0,
        "day_gap": gap,
        "other_day": float(gap >= OTHER_DAY),
        "undated": float(days is None),
        "scope_conflict": float(bool(report.scopes) and bool(story.scopes)
                                and not report.scopes & story.scopes),
        "stage_conflict": float(bool(report.stages) and bool(story.stages)
                                and not report.stages & story.stages),
        "named_shared": float(named_shared),
        "named_apart": float(named_apart),
        "named_no_country": float(named_no_country),
        "weekday_shared": float(weekday_shared),
        "weekday_conflict": float(weekday_conflict),
        "year_conflict": float(bool(report.years) and bool(story.years)
                               and not report.years & story.years),
        "lead_year_conflict": float(_lead_year_conflict(report, story)),
    }
    f.update({f"{k}_undated": f[k] * f["undated"] for k in UNDATED_INTERACTIONS})
    return f


_REASONS = {
    "cosine": "close in meaning", "jaccard": "shared wording", "type_shared": "same event type",
    "type_conflict": "different event types", "type_one_sided": "an event on one side only",
    "country_conflict": "different countries",
    "place_shared": "same place", "place_conflict": "different places",
    "place_one_sided": "a place on one side only",
    "figure_agrees": "figures agree", "figure_falls": "a figure well below the story's",
    "numbers_conflict": "different counts", "date_shared": "same date",
    "date_conflict": "different dates", "days_apart": "days apart",
    "year_conflict": "different years", "cosine_untyped": "close in meaning",
    "jaccard_sqrt": "shared wording", "undated": "undated",
    "scope_conflict": "decisions of different levels",
    "stage_conflict": "different stages of a decision",
    "lead_year_conflict": "its lead names other years",
    "named_shared": "same place named", "named_apart": "different places named",
    "named_no_country": "no country in common", "weekday_shared": "same weekday",
    "weekday_conflict": "different weekdays", "numbers_shared": "same counts",
    "names_apart": "no name in common", "day_gap": "published days apart",
    "other_day": "published on another day",
}
_REASONS |= {f"{k}_undated": _REASONS[k] for k in UNDATED_INTERACTIONS}


def judge_facts(report: Facts, story: Facts, model: Model | None = None, *,
                tolerance: float = 0.2) -> Judgement:
    model = model or default_model()
    f = features(report, story, tolerance=tolerance)
    cos = f["cosine"] * (1 - COSINE_FLOOR) + COSINE_FLOOR
    measured = f"cosine {cos:.2f}, text similarity {f['jaccard']:.2f}"
    vetoed = [k for k in VETOES if f[k]]
    if vetoed:
        return Judgement(False, 0.0, f, f"{_REASONS[vetoed[0]]} ({measured})")
    terms = {k: model.weights.get(k, 0.0) * f[k] for k in FEATURES}
    z = model.bias + sum(terms.values())
    p = 1 / (1 + math.exp(-max(-40.0, min(40.0, z))))
    same = p >= model.threshold
    # The reason names the two features that pushed hardest towards the decision.
    ranked = sorted((t for t in terms.items() if (t[1] > 0) == same and t[1] != 0),
                    key=lambda t: abs(t[1]), reverse=True)[:3]
    why = ", ".join(dict.fromkeys(_REASONS.get(k, k) for k, _ in ranked)) or "nothing in common"
    return Judgement(same, p, f, f"p(same story) {p:.2f}: {why} ({measured})")
