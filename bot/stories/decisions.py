"""Story decisions: one alert per story across outlets, follow-ups only for material news.

A report is one entry with every rule it matched; a story is one event, whatever types
it has (one message per article). A report joins a story when `bot.stories.judge` says
so: meaning (multilingual embeddings), wording (shingles) and facts that must agree
(event type, the finest place both name, figures that agree or rise, dates, time),
weighed by a model fitted on the tuning part of the real labelled sets. All of it
happens within `stories.window` of the story; a date without a time is a whole day, on
either side.

The decisions are pure functions (`judge`, `choose`, `create`, `merge`, `flush`):
they take the stored story and the report and return the next story and the alerts;
`StoryStore` reads and commits around them. Alerts:
- NEW when a story is founded;
- UPDATE when a report brings a figure ≥ `material_rise` above what was alerted, a new
  location country, a new event type or a higher severity (a reply "Update: …");
- SOURCES when more outlets report it (the sent message is edited). Edits are
  coalesced here: at most one SOURCES alert per story per `stories.edit_interval`;
  what arrives in between waits in a due set that `StoryStore.due_edits` flushes.
Alert ids hash (story, kind, version), so a re-run can never enqueue another id for
the same event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from bot.config.settings import StorySettings
from bot.stories.judge import Facts, Model, judge_facts
from bot.stories.places import named_places
from bot.stories.similarity import (
    Fingerprint,
    dates,
    fingerprint,
    jaccard,
    lead,
    names,
    scopes,
    stages,
    weekdays,
    years,
)
from bot.stories.summary import summarise
from bot.stories.types import MAX_MEMBERS, Outcome, Report, Story, Verdict
from bot.types import Alert, AlertKind, Change, ChangeKind, Entry
from detectors.types import Detection, Severity

NEAR_IDENTICAL = 0.7  # a member this close to a kept one adds little: not kept, not indexed
MAX_NUMBERS = 32
MAX_STORY_NAMES = 96


def entry_id(entry: Entry) -> str:
    """Identity of an entry across polls, edits and restarts: feed + entry key."""
    return hashlib.sha1(f"{entry.feed_id}\x00{entry.key}".encode()).hexdigest()[:20]


def alert_id(story_id: str, kind: AlertKind, version: int) -> str:
    return hashlib.sha1(f"{story_id}:{kind.value}:{version}".encode()).hexdigest()[:24]


def story_id_for(report: Report) -> str:
    # One story per founding article, whatever rules it matched.
    key = "+".join(report.rules)
    return hashlib.sha1(f"{key}\x00{report.entry_id}".encode()).hexdigest()[:16]


def make_report(
    entry: Entry,
    detections: Detection | Sequence[Detection],
    *,
    now: datetime,
    fp: Fingerprint | None = None,
    vector: bytes = b"",
    undated: bool = False,
) -> Report:
    """One report for the entry and every rule it matched (one message per article)."""
    found = combine([detections] if isinstance(detections, Detection) else detections)
    events = {d.rule: tuple(d.countries) for d in found if d.rule}
    detection = found[0] if found else Detection(rule="", countries=(), severity=Severity.LOW,
                                                 score=0.0)
    figures: dict[str, int] = {}
    figure_rules: dict[str, tuple[str, ...]] = {}
    for d in found:
        for name, value in d.figures.items():
            figures[name] = max(value, figures.get(name, value))
            figure_rules[name] = (*figure_rules.get(name, ()), d.rule)
    evidence = tuple(dict.fromkeys(e for d in found for e in d.evidence))
    # No date: the fetch time is the best we know.
    published = entry.published or now
    # A feed's clock can be ahead of ours; a report can't be from the future.
    published = min(published, now)
    day_only = entry.day_only and entry.published is not None
    return Report(
        entry_id=entry_id(entry),
        feed_id=entry.feed_id,
        source=entry.source or entry.feed_id,
        url=entry.url,
        title=entry.title,
        summary=summarise(entry.title, entry.text, evidence),
        language=entry.language or detection.language or None,
        published=published,
        rule=detection.rule,
        countries=tuple(dict.fromkeys(c for d in found for c in d.countries)),
        severity=max((d.severity for d in found), default=detection.severity),
        figures=figures,
        fingerprint=fp or fingerprint(entry.title, entry.text),
        day_only=day_only,
        events=events,
        places=tuple(dict.fromkeys(f"{p.level}:{p.id}" for d in found for p in d.places
                                   if p.level != "country")),
        dates=dates(entry.title, entry.text),
        years=years(entry.title, entry.text),
        scopes=scopes(entry.title, entry.text),
        stages=stages(entry.title, entry.text),
        named=named_places(entry.title, lead(entry.text), entry.language),
        weekdays=weekdays(entry.title, entry.text),
        names=names(entry.title, entry.text),
        vector=vector,
        undated=undated,
        figure_rules=figure_rules,
        severities={d.rule: d.severity for d in found if d.rule},
    )


def combine(detections: Sequence[Detection]) -> list[Detection]:
    """One detection per rule, whatever matched twice; the engine's order is kept."""
    by_rule: dict[str, Detection] = {}
    for d in detections:
        prev = by_rule.get(d.rule)
        if prev is None:
            by_rule[d.rule] = d
            continue
        figures = dict(prev.figures)
        for name, value in d.figures.items():
            figures[name] = max(value, figures.get(name, value))
        by_rule[d.rule] = replace(
            prev,
            countries=tuple(dict.fromkeys((*prev.countries, *d.countries))),
            severity=max(prev.severity, d.severity),
            score=max(prev.score, d.score),
            figures=figures,
            evidence=tuple(dict.fromkeys((*prev.evidence, *d.evidence))),
        )
    return list(by_rule.values())


# A date without a time is a local calendar day somewhere between UTC-12 and UTC+14.
DAY_BEFORE = 14 * 3600
DAY_AFTER = 36 * 3600


def day_span(published: datetime, *, day_only: bool) -> tuple[float, float]:
    """The moments a publication time stands for, epoch s: a date without a time is the
    whole of its day, wherever that day was."""
    at = published.timestamp()
    return (at - DAY_BEFORE, at + DAY_AFTER) if day_only else (at, at)


def report_time(report: Report, story: Story) -> float:
    """When the report was published, as close to the story as its precision allows.

    A dated-only report may be from any hour of its day: the moment of that day nearest
    to the story's span, never its midnight UTC."""
    at = report.published.timestamp()
    if not report.day_only:
        return at
    start, end = day_span(report.published, day_only=True)
    first, last = story.first.timestamp(), story.last.timestamp()
    if end < first:
        return end
    if start > last:
        return start
    return min(max(at, first), last)  # the spans overlap: a moment of both


def in_window(report: Report, story: Story, settings: StorySettings) -> bool:
    """Published within `stories.window` of the story. A date without a time is the
    whole of its day on either side: a story whose reports all have only a date spans
    their days, not their midnights UTC."""
    first = day_span(story.first, day_only=story.day_only)[0]
    last = day_span(story.last, day_only=story.day_only)[1]
    start, end = day_span(report.published, day_only=report.day_only)
    return first - settings.window <= end and start <= last + settings.window


MIDDAY = 12 * 3600


def _moment(published: datetime, *, day_only: bool) -> float:
    """A publication time as one moment: a date without a time at its midday."""
    return published.timestamp() + (MIDDAY if day_only else 0)


def report_facts(report: Report) -> Facts:
    span = None if report.undated else day_span(report.published, day_only=report.day_only)
    at = _moment(report.published, day_only=report.day_only)
    return Facts(
        vectors=(report.vector,) if report.vector else (),
        tokens=(report.fingerprint.tokens,),
        events=report.events or ({report.rule: report.countries} if report.rule else {}),
        places=report.places, figures=report.figures, figures_min=report.figures,
        numbers=report.fingerprint.numbers, dates=report.dates, years=report.years,
        scopes=report.scopes, stages=report.stages, named=report.named,
        weekdays=report.weekdays,
        names=report.names, day_only=report.day_only, span=span,
        moments=None if report.undated else (at, at))


def story_facts(story: Story) -> Facts:
    return Facts(
        vectors=story.vectors, tokens=story.members,
        events=story.events or ({story.rule: story.countries} if story.rule else {}),
        places=story.places, figures=story.figures, figures_min=story.figures_min,
        numbers=frozenset(story.numbers), dates=frozenset(story.dates),
        years=frozenset(story.years), scopes=frozenset(story.scopes),
        stages=frozenset(story.stages),
        named=story.named, weekdays=frozenset(story.weekdays),
        names=frozenset(story.names), day_only=story.day_only,
        span=None if story.undated else (story.first.timestamp(), story.last.timestamp()),
        moments=None if story.undated else (_moment(story.first, day_only=story.day_only),
                                            _moment(story.last, day_only=story.day_only)))


def judge(report: Report, story: Story, settings: StorySettings,
          model: Model | None = None) -> Verdict:
    """Is the report about the story? Meaning and facts (`bot.stories.judge`), within
    the story's time window."""
    if not in_window(report, story, settings):
        return Verdict(False, 0.0, "published outside the story's time window")
    j = judge_facts(report_facts(report), story_facts(story), model,
                    tolerance=settings.figure_tolerance)
    return Verdict(j.same, j.probability, j.reason)


def choose(
    report: Report, stories: Sequence[Story], settings: StorySettings
) -> tuple[Story, Verdict] | None:
    """The story this report belongs to, if any: the most similar text wins."""
    best: tuple[Story, Verdict] | None = None
    for story in stories:
        verdict = judge(report, story, settings)
        if not verdict.same:
            continue
        if best is None or (verdict.score, story.last) > (best[1].score, best[0].last):
            best = (story, verdict)
    return best


def create(report: Report, *, now: datetime) -> Outcome:
    story = Story(
        id=story_id_for(report),
        rule=report.rule,
        first=report.published,
        last=report.published,
        title=report.title,
        url=report.url,
        source=report.source,
        language=report.language,
        summary=report.summary,
        published=report.published,
        countries=report.countries,
        severity=report.severity,
        figures=dict(report.figures),
        alerted_countries=report.countries,
        alerted_severity=report.severity,
        alerted_figures=dict(report.figures),
        sources=(report.source,),
        outlet_times=(report.published.timestamp(),),
        members=(report.fingerprint.tokens,),
        numbers=tuple(sorted(report.fingerprint.numbers))[:MAX_NUMBERS],
        figures_min=dict(report.figures),
        events=dict(report.events),
        alerted_rules=report.rules,
        places=report.places,
        dates=tuple(sorted(report.dates)),
        years=tuple(sorted(report.years)),
        scopes=tuple(sorted(report.scopes)),
        stages=tuple(sorted(report.stages)),
        vectors=(report.vector,) if report.vector else (),
        undated=report.undated,
        named=report.named,
        weekdays=tuple(sorted(report.weekdays)),
        day_only=report.day_only,
        names=tuple(sorted(report.names)),
    )
    alert = _alert(story, AlertKind.NEW, 0, now=now)
    return Outcome(story, (alert,), new_member=report.fingerprint.tokens)


def is_breaking(times: Sequence[float], settings: StorySettings) -> bool:
    """EMM's signal: enough distinct outlets within one window, not one big article."""
    ordered = sorted(times)
    need = settings.breaking_outlets
    return any(
        ordered[i + need - 1] - ordered[i] <= settings.breaking_window
        for i in range(len(ordered) - need + 1)
    )


def material_changes(
    report: Report, story: Story, settings: StorySettings
) -> tuple[
    list[Change], dict[str, int], tuple[str, ...], Severity, dict[str, tuple[str, ...]]
]:
    """What is materially new against what was alerted, the alerted state after it, and
    what the news is about: event type → the countries it concerns (`Alert.news`)."""
    alerted = story.alerted_rules or story.rules
    news: dict[str, tuple[str, ...]] = {}

    def about(rules: Sequence[str], countries: Sequence[str] | None = None) -> None:
        for r in rules or report.rules:
            where = countries if countries is not None else (
                *story.events.get(r, ()), *report.events.get(r, ()))
            news[r] = tuple(dict.fromkeys((*news.get(r, ()), *where)))

    changes: list[Change] = []
    for r in report.rules:
        if r not in alerted:
            changes.append(Change(ChangeKind.EVENT, r))
            about([r])
    figures = dict(story.alerted_figures)
    for name, value in report.figures.items():
        old = figures.get(name)
        if old is not None and old > 0 and value >= old * (1 + settings.material_rise):
            changes.append(Change(ChangeKind.FIGURE, name, old, value))
            about(report.figure_rules.get(name, ()))
        if old is None or value > old:
            figures[name] = value
    new_countries = [c for c in report.countries if c not in story.alerted_countries]
    if new_countries:
        changes.append(Change(ChangeKind.LOCATION, countries=tuple(new_countries)))
        for c in new_countries:
            about([r for r, cs in report.events.items() if c in cs], [c])
    severity = story.alerted_severity
    if report.severity > severity:
        changes.append(Change(ChangeKind.SEVERITY, old=severity.label,
                              new=report.severity.label))
        about([r for r, s in report.severities.items() if s > severity])
        severity = report.severity
    countries = tuple(dict.fromkeys((*story.alerted_countries, *report.countries)))
    return changes, figures, countries, severity, news


def merge_events(story: Story, report: Report) -> dict[str, tuple[str, ...]]:
    """The story's event types with their countries, the report's added."""
    events = dict(story.events or {story.rule: story.countries})
    for rule, countries in report.events.items():
        events[rule] = tuple(dict.fromkeys((*events.get(rule, ()), *countries)))
    return events


def merge(story: Story, report: Report, settings: StorySettings, *, now: datetime) -> Outcome:
    """Apply a report to its story: sources, figures, updates, breaking, the edit."""
    sources, times = story.sources, story.outlet_times
    when = datetime.fromtimestamp(report_time(report, story), UTC)
    if report.source not in sources:
        sources = (*sources, report.source)
        times = (*times, report.published.timestamp())
    figures, low = dict(story.figures), dict(story.figures_min)
    for name, value in report.figures.items():
        figures[name] = max(value, figures.get(name, value))
        low[name] = min(value, low.get(name, value))
    numbers = tuple(dict.fromkeys((*story.numbers, *sorted(report.fingerprint.numbers))))
    keep = report.fingerprint.tokens
    member: frozenset[int] | None = None
    members = story.members
    if len(members) < MAX_MEMBERS and all(jaccard(keep, m) < NEAR_IDENTICAL for m in members):
        member = keep
        members = (*members, keep)
    nxt = replace(
        story,
        first=min(story.first, when),
        last=max(story.last, when),
        countries=tuple(dict.fromkeys((*story.countries, *report.countries))),
        severity=max(story.severity, report.severity),
        figures=figures,
        sources=sources,
        outlet_times=times,
        reports=story.reports + 1,
        members=members,
        numbers=numbers[:MAX_NUMBERS],
        figures_min=low,
        breaking=story.breaking or is_breaking(times, settings),
        events=merge_events(story, report),
        places=tuple(dict.fromkeys((*story.places, *report.places))),
        dates=tuple(sorted({*story.dates, *report.dates})),
        years=tuple(sorted({*story.years, *report.years})),
        scopes=tuple(sorted({*story.scopes, *report.scopes})),
        # the first stage its reports gave: an extension never turns a declaration into one
        stages=story.stages or tuple(sorted(report.stages)),
        named=tuple(dict.fromkeys((*story.named, *report.named))),
        weekdays=tuple(sorted({*story.weekdays, *report.weekdays})),
        # The founder's names first: a story is what its first reports said.
        names=tuple(dict.fromkeys((*story.names, *sorted(report.names))))[:MAX_STORY_NAMES],
        day_only=story.day_only and report.day_only,
        vectors=(*story.vectors, report.vector) if member is not None and report.vector
        else story.vectors,
    )
    alerts: list[Alert] = []
    changes, alerted_figures, alerted_countries, alerted_severity, news = material_changes(
        report, story, settings
    )
    if changes:
        nxt = replace(
            nxt,
            update_version=nxt.update_version + 1,
            alerted_figures=alerted_figures,
            alerted_countries=alerted_countries,
            alerted_severity=alerted_severity,
            alerted_rules=tuple(dict.fromkeys(
                (*(story.alerted_rules or story.rules), *report.rules))),
        )
        alerts.append(
            _alert(nxt, AlertKind.UPDATE, nxt.update_version, now=now, report=report,
                   changes=tuple(changes), news=news)
        )
    edited = flush(nxt, settings, now=now)
    return Outcome(
        edited.story,
        (*alerts, *edited.alerts),
        new_member=member,
        edit_due=edited.edit_due,
        clear_due=edited.clear_due,
    )


def flush(story: Story, settings: StorySettings, *, now: datetime) -> Outcome:
    """The "Also reported by" edit, if one is pending and the edit interval allows it."""
    if not story.edit_pending:
        return Outcome(story, clear_due=True)
    at = now.timestamp()
    if story.last_edit is not None and at - story.last_edit < settings.edit_interval:
        return Outcome(story, edit_due=story.last_edit + settings.edit_interval)
    nxt = replace(
        story,
        edit_version=story.edit_version + 1,
        edited_sources=len(story.others),
        edited_breaking=story.breaking,
        last_edit=at,
    )
    return Outcome(nxt, (_alert(nxt, AlertKind.SOURCES, nxt.edit_version, now=now),),
                   clear_due=True)


def _alert(
    story: Story,
    kind: AlertKind,
    version: int,
    *,
    now: datetime,
    report: Report | None = None,
    changes: tuple[Change, ...] = (),
    news: dict[str, tuple[str, ...]] | None = None,
) -> Alert:
    # An UPDATE shows the report that brought the news; NEW and SOURCES the original.
    title = report.title if report else story.title
    summary = report.summary if report else story.summary
    url = report.url if report else story.url
    source = report.source if report else story.source
    published = report.published if report else story.published
    language = report.language if report else story.language
    return Alert(
        id=alert_id(story.id, kind, version),
        kind=kind,
        story_id=story.id,
        rule=story.rule,
        countries=story.countries,
        severity=story.severity,
        title=title,
        summary=summary,
        figures=dict(story.figures),
        url=url,
        source=source,
        published=published,
        language=language,
        sources=story.others,
        breaking=story.breaking,
        created=now,
        changes=changes,
        events=dict(story.events),
        news=news or {},
    )
