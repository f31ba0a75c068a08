"""Stories: one alert per story across outlets, follow-ups only for material news.

A *story* is one event of one rule (the reference article makes three stories: a troop
deployment, a state of emergency and a mass detention, all in Kazakhstan). Each
(entry, detection) becomes a `Report`, and a report either founds a story or joins one:

- by text: the Jaccard similarity of headline+lead shingles reaches
  `stories.similarity` (rewritten headlines, syndicated copies, the same agency text),
  unless both give counts and share none (look-alikes: "180 detained in Yerevan" and
  "40 detained in Tbilisi" read alike);
- by event signature: the same rule and a shared location country, published within
  `stories.window` when both give the same figure (it may rise: counts only grow),
  within `stories.event_window` when they share no figure. This also joins reports in
  other languages, and a next-day update of a count.
Either way, a count well below the story's lowest (by more than `figure_tolerance`) is
another, smaller incident, and all of it happens within `stories.window`.

The decisions are pure functions (`judge`, `choose`, `create`, `merge`, `flush`):
they take the stored story and the report and return the next story and the alerts.
`StoryStore` is the Redis edge: it reads candidates, calls the decisions and commits
the result with one Lua script that checks, atomically, that nothing changed since
the read (the story's revision, the detection marker, and — for a new story — that no
other worker indexed a story under the same bands or event keys meanwhile). On a
conflict it reads again and decides again, so two workers never make two stories.

Alerts:
- NEW when a story is founded;
- UPDATE when a report brings a figure ≥ `material_rise` above what was alerted, a new
  location country or a higher severity (sent as a reply "Update: …");
- SOURCES when more outlets report it (the sent message is edited). Edits are
  coalesced here: at most one SOURCES alert per story per `stories.edit_interval`;
  what arrives in between waits in a due set that `StoryStore.due_edits` flushes.
Alert ids hash (story, kind, version), so a re-run can never enqueue another id for
the same event. Exact dedup: a marker per (entry, rule), written in the same commit,
lives `stories.dedup_ttl`; ingesting that pair again gives no new alert, only — for
REPLAY_TTL — the alerts it made, so that a batch that crashed before publishing them
publishes them on the re-poll (the outbox drops ids it already has).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import redis.asyncio as aioredis

from bot.config.settings import StorySettings
from bot.errors import EventwatchError
from bot.store.keys import Keys
from bot.store.redis import text
from bot.stories.similarity import Fingerprint, fingerprint, jaccard, pack_tokens, unpack_tokens
from bot.stories.summary import summarise
from bot.types import Alert, AlertKind, Entry, decode_alert, encode_alert
from detectors.types import Detection, Severity

log = logging.getLogger(__name__)

MAX_MEMBERS = 4  # shingle sets kept (and LSH-indexed) per story: enough to match rewrites
NEAR_IDENTICAL = 0.7  # a member this close to a kept one adds little: not kept, not indexed
MAX_NUMBERS = 32
RECENT_MAX = 200
MAX_ATTEMPTS = 10
# A batch that crashed after its stories were committed but before its alerts were
# published is polled again within minutes; for this long its alerts are given again
# (same ids: the outbox drops what it already has), so nothing is lost.
REPLAY_TTL = 3600


class StoryConflictError(EventwatchError):
    """Other workers kept changing the story; the report was not applied."""

    def __init__(self, entry_id: str, rule: str) -> None:
        self.entry_id = entry_id
        self.rule = rule
        super().__init__(f"story commit kept conflicting for entry {entry_id}, rule {rule}")


# -- values -------------------------------------------------------------------------


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
    severity: int
    figures: Mapping[str, int]
    fingerprint: Fingerprint


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
    severity: int
    figures: Mapping[str, int]  # the highest value seen per figure
    alerted_countries: tuple[str, ...]
    alerted_severity: int
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


# -- pure decisions -----------------------------------------------------------------


def entry_id(entry: Entry) -> str:
    """Identity of an entry across polls, edits and restarts: feed + entry key."""
    return hashlib.sha1(f"{entry.feed_id}\x00{entry.key}".encode()).hexdigest()[:20]


def alert_id(story_id: str, kind: AlertKind, version: int) -> str:
    return hashlib.sha1(f"{story_id}:{kind.value}:{version}".encode()).hexdigest()[:24]


def story_id_for(report: Report) -> str:
    return hashlib.sha1(f"{report.rule}\x00{report.entry_id}".encode()).hexdigest()[:16]


def make_report(
    entry: Entry,
    detection: Detection,
    *,
    now: datetime,
    fp: Fingerprint | None = None,
) -> Report:
    published = entry.published or now
    # A feed's clock can be ahead of ours; a report can't be from the future.
    published = min(published, now)
    return Report(
        entry_id=entry_id(entry),
        feed_id=entry.feed_id,
        source=entry.source or entry.feed_id,
        url=entry.url,
        title=entry.title,
        summary=summarise(entry.title, entry.text, detection.evidence),
        language=entry.language or detection.language or None,
        published=published,
        rule=detection.rule,
        countries=tuple(detection.countries),
        severity=int(detection.severity),
        figures=dict(detection.figures),
        fingerprint=fp or fingerprint(entry.title, entry.text),
    )


def combine(detections: Sequence[Detection]) -> list[Detection]:
    """One detection per rule: an entry is one report per rule, whatever matched twice."""
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


def text_score(report: Report, story: Story) -> float:
    tokens = report.fingerprint.tokens
    return max((jaccard(tokens, m) for m in story.members), default=0.0)


def in_window(report: Report, story: Story, settings: StorySettings) -> bool:
    earliest = story.first.timestamp() - settings.window
    latest = story.last.timestamp() + settings.window
    return earliest <= report.published.timestamp() <= latest


def falling_figure(report: Report, story: Story, settings: StorySettings) -> str | None:
    """A count well below any the story gave is another, smaller incident.

    A larger count is the same event's count growing (an update if it grew enough),
    and a rewrite repeating an earlier count is still the story: hence the minimum.
    """
    for name, value in report.figures.items():
        low = story.figures_min.get(name)
        if low and value < low * (1 - settings.figure_tolerance):
            return f"{name} {value:,} is well below the story's {low:,}"
    return None


def numbers_conflict(report: Report, story: Story) -> bool:
    """Both give counts and share none: look-alike texts about different incidents."""
    mine = report.fingerprint.numbers
    return bool(mine and story.numbers and not mine.intersection(story.numbers))


def event_match(report: Report, story: Story, settings: StorySettings) -> str | None:
    """The event signature: rule, a shared location country, figures that agree or rise."""
    if not report.rule or report.rule != story.rule:
        return None
    shared = [c for c in report.countries if c in story.countries]
    if not shared:
        return None
    where = ",".join(shared)
    if any(name in story.figures for name in report.figures):
        return f"event signature: {report.rule} in {where}, figures agree"
    at = report.published.timestamp()
    if story.first.timestamp() - settings.event_window <= at <= (
        story.last.timestamp() + settings.event_window
    ):
        return f"event signature: {report.rule} in {where}"
    return None


def judge(report: Report, story: Story, settings: StorySettings) -> Verdict:
    """Is the report about the story? Text first, then the event signature."""
    score = text_score(report, story)
    if not in_window(report, story, settings):
        return Verdict(False, score, "published outside the story's time window")
    falling = falling_figure(report, story, settings)
    if falling:
        return Verdict(False, score, falling)
    if score >= settings.similarity and not numbers_conflict(report, story):
        return Verdict(True, score, f"text similarity {score:.2f}")
    signature = event_match(report, story, settings)
    if signature:
        return Verdict(True, score, signature)
    if score >= settings.similarity:
        return Verdict(False, score, f"text similarity {score:.2f}, but the counts differ")
    return Verdict(False, score, f"text similarity {score:.2f} below {settings.similarity:.2f}")


def choose(
    report: Report, stories: Sequence[Story], settings: StorySettings
) -> tuple[Story, Verdict] | None:
    """The story this report belongs to, if any: the most similar text wins."""
    best: tuple[Story, Verdict] | None = None
    for story in stories:
        if story.rule != report.rule:
            continue
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
) -> tuple[list[str], dict[str, int], tuple[str, ...], int]:
    """What is materially new against what was alerted, and the alerted state after it."""
    changes: list[str] = []
    figures = dict(story.alerted_figures)
    for name, value in report.figures.items():
        old = figures.get(name)
        if old is not None and old > 0 and value >= old * (1 + settings.material_rise):
            changes.append(f"{name}: {old:,} → {value:,}")
        if old is None or value > old:
            figures[name] = value
    new_countries = [c for c in report.countries if c not in story.alerted_countries]
    if new_countries:
        changes.append("new location: " + ", ".join(new_countries))
    severity = story.alerted_severity
    if report.severity > severity:
        changes.append(f"severity: {_label(severity)} → {_label(report.severity)}")
        severity = report.severity
    countries = tuple(dict.fromkeys((*story.alerted_countries, *report.countries)))
    return changes, figures, countries, severity


def merge(story: Story, report: Report, settings: StorySettings, *, now: datetime) -> Outcome:
    """Apply a report to its story: sources, figures, updates, breaking, the edit."""
    sources, times = story.sources, story.outlet_times
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
        first=min(story.first, report.published),
        last=max(story.last, report.published),
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
    )
    alerts: list[Alert] = []
    changes, alerted_figures, alerted_countries, alerted_severity = material_changes(
        report, story, settings
    )
    if changes:
        nxt = replace(
            nxt,
            update_version=nxt.update_version + 1,
            alerted_figures=alerted_figures,
            alerted_countries=alerted_countries,
            alerted_severity=alerted_severity,
        )
        alerts.append(
            _alert(nxt, AlertKind.UPDATE, nxt.update_version, now=now, report=report,
                   changes=tuple(changes))
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


def _label(severity: int) -> str:
    try:
        return Severity(severity).label
    except ValueError:
        return str(severity)


def _alert(
    story: Story,
    kind: AlertKind,
    version: int,
    *,
    now: datetime,
    report: Report | None = None,
    changes: tuple[str, ...] = (),
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
        severity=_label(story.severity),
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
    )


# -- serialisation ------------------------------------------------------------------


def _ts(value: datetime) -> float:
    return value.timestamp()


def _dt(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


def dump_story(story: Story) -> str:
    data: dict[str, Any] = {
        "id": story.id, "rule": story.rule, "first": _ts(story.first), "last": _ts(story.last),
        "title": story.title, "url": story.url, "source": story.source,
        "language": story.language, "summary": story.summary,
        "published": _ts(story.published), "countries": list(story.countries),
        "severity": story.severity, "figures": dict(story.figures),
        "alerted_countries": list(story.alerted_countries),
        "alerted_severity": story.alerted_severity,
        "alerted_figures": dict(story.alerted_figures), "sources": list(story.sources),
        "outlet_times": list(story.outlet_times), "reports": story.reports,
        "update_version": story.update_version, "edit_version": story.edit_version,
        "edited_sources": story.edited_sources, "edited_breaking": story.edited_breaking,
        "last_edit": story.last_edit, "breaking": story.breaking,
        "numbers": list(story.numbers), "figures_min": dict(story.figures_min),
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def load_story(raw: Mapping[Any, Any]) -> Story | None:
    state = raw.get(b"state")
    if not state:
        return None
    d = json.loads(state)
    members = tuple(
        unpack_tokens(raw[f"m{i}".encode()])
        for i in range(MAX_MEMBERS)
        if f"m{i}".encode() in raw
    )
    return Story(
        id=d["id"], rule=d["rule"], first=_dt(d["first"]), last=_dt(d["last"]),
        title=d["title"], url=d["url"], source=d["source"], language=d["language"],
        summary=d["summary"], published=_dt(d["published"]),
        countries=tuple(d["countries"]), severity=d["severity"], figures=d["figures"],
        alerted_countries=tuple(d["alerted_countries"]),
        alerted_severity=d["alerted_severity"], alerted_figures=d["alerted_figures"],
        sources=tuple(d["sources"]), outlet_times=tuple(d["outlet_times"]),
        reports=d["reports"], update_version=d["update_version"],
        edit_version=d["edit_version"], edited_sources=d["edited_sources"],
        edited_breaking=d["edited_breaking"], last_edit=d["last_edit"],
        breaking=d["breaking"], members=members, numbers=tuple(d["numbers"]),
        figures_min=d["figures_min"], rev=int(raw.get(b"rev", b"0")),
    )


# -- the Redis edge -----------------------------------------------------------------

# KEYS: story, detection marker (or the story key again when there is none), recent,
#       edit-due, the replay key (or the story key again), then the index keys (LSH
#       bands and event signatures).
# ARGV: expected rev ("0": create), state, member field, member bytes, story ttl ms,
#       dedup ttl ms, story id, now, window s, due ("" keep, "-" clear, else a score),
#       recent max, has marker ("1"/"0"), alerts JSON, replay ttl ms, then the story
#       ids the caller already saw.
_COMMIT = """
local has_marker = ARGV[12] == '1'
if has_marker and redis.call('EXISTS', KEYS[2]) == 1 then return 'dup' end
local now = tonumber(ARGV[8])
local floor = now - tonumber(ARGV[9])
local rev = redis.call('HGET', KEYS[1], 'rev')
if ARGV[1] == '0' then
  if rev then return 'retry' end
  local known = {}
  for i = 15, #ARGV do known[ARGV[i]] = true end
  for i = 6, #KEYS do
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[i], floor, '+inf')) do
      if not known[id] then return 'retry' end
    end
  end
elseif rev ~= ARGV[1] then
  return 'retry'
end
local id = ARGV[7]
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'rev', tostring(tonumber(ARGV[1]) + 1))
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], ARGV[3], ARGV[4]) end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if has_marker then
  redis.call('SET', KEYS[2], id, 'PX', ARGV[6])
  redis.call('SET', KEYS[5], ARGV[13], 'PX', ARGV[14])
end
for i = 6, #KEYS do
  redis.call('ZADD', KEYS[i], now, id)
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. floor)
  redis.call('PEXPIRE', KEYS[i], ARGV[5])
end
redis.call('ZADD', KEYS[3], now, id)
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -tonumber(ARGV[11]) - 1)
redis.call('PEXPIRE', KEYS[3], ARGV[5])
if ARGV[10] == '-' then
  redis.call('ZREM', KEYS[4], id)
elseif ARGV[10] ~= '' then
  redis.call('ZADD', KEYS[4], ARGV[10], id)
  redis.call('PEXPIRE', KEYS[4], ARGV[5])
end
return 'ok'
"""


@dataclass(slots=True)
class _Read:
    stories: list[Story] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # every id found under the index keys


class StoryStore:
    """Stories in Redis; every decision is one of the pure functions above."""

    def __init__(self, redis: aioredis.Redis, keys: Keys, settings: StorySettings) -> None:
        self.redis = redis
        self.keys = keys
        self.settings = settings
        self._commit_script = redis.register_script(_COMMIT)

    async def ingest(
        self, entry: Entry, detections: Sequence[Detection], *, now: datetime
    ) -> list[Alert]:
        """Apply one entry's detections; return the alerts to enqueue (maybe none)."""
        if not detections:
            return []
        fp = fingerprint(entry.title, entry.text)
        alerts: list[Alert] = []
        for detection in combine(detections):
            report = make_report(entry, detection, now=now, fp=fp)
            alerts.extend(await self.apply(report, now=now))
        return alerts

    async def apply(self, report: Report, *, now: datetime) -> list[Alert]:
        marker = self.keys.detection(report.entry_id, report.rule)
        if await self.redis.exists(marker):
            # Counted already: never a new alert; only a replay of what it made (see
            # REPLAY_TTL), which the outbox drops when it has them.
            return await self._replay(report)
        bands, events = self._index_keys(report)
        for _ in range(MAX_ATTEMPTS):
            read = await self._read([*bands, *events], now=now)
            picked = choose(report, read.stories, self.settings)
            if picked is None:
                outcome = create(report, now=now)
                expected = 0
            else:
                story, verdict = picked
                log.debug("report joins story", extra={
                    "story": story.id, "rule": report.rule, "reason": verdict.reason})
                outcome = merge(story, report, self.settings, now=now)
                expected = story.rev
            # Only kept members are indexed: other bands would point here anyway.
            index = [*bands, *events] if outcome.new_member is not None else events
            result = await self._commit(
                outcome, expected, index, now=now, marker=marker, replay_of=report,
                seen=read.seen,
            )
            if result == "ok":
                return list(outcome.alerts)
            if result == "dup":
                return await self._replay(report)
        raise StoryConflictError(report.entry_id, report.rule)

    async def due_edits(
        self, *, now: datetime,
        publish: Callable[[list[Alert]], Awaitable[None]] | None = None,
    ) -> list[Alert]:
        """Coalesced "Also reported by" edits whose interval has passed.

        With `publish`, each edit is queued before the story commits it as sent: a crash
        in between queues the same alert id again (the outbox drops the repeat) instead
        of losing the edit."""
        due = await self.redis.zrangebyscore(self.keys.stories_edit_due(), "-inf", now.timestamp())
        alerts: list[Alert] = []
        for raw_id in due:
            sid = text(raw_id)
            for _ in range(MAX_ATTEMPTS):
                story = await self.get(sid)
                if story is None:
                    await self.redis.zrem(self.keys.stories_edit_due(), sid)
                    break
                outcome = flush(story, self.settings, now=now)
                if publish is not None and outcome.alerts:
                    await publish(list(outcome.alerts))
                result = await self._commit(outcome, story.rev, [], now=now)
                if result == "ok":
                    alerts.extend(outcome.alerts)
                    break
        return alerts

    async def get(self, story_id: str) -> Story | None:
        return load_story(await self.redis.hgetall(self.keys.story(story_id)))

    async def recent(self, limit: int = 5) -> list[Story]:
        """The latest stories, newest activity first (for /latest)."""
        ids = await self.redis.zrevrange(self.keys.stories_recent(), 0, max(0, limit * 2 - 1))
        out: list[Story] = []
        for raw_id in ids:
            story = await self.get(text(raw_id))
            if story is not None:
                out.append(story)
            if len(out) >= limit:
                break
        return out

    # -- internals ------------------------------------------------------------------

    async def _replay(self, report: Report) -> list[Alert]:
        raw = await self.redis.get(self.keys.detection_alerts(report.entry_id, report.rule))
        if not raw:
            return []
        return [decode_alert(a) for a in json.loads(raw)]

    def _index_keys(self, report: Report) -> tuple[list[str], list[str]]:
        bands = [self.keys.story_band(i, v) for i, v in enumerate(report.fingerprint.bands())]
        events = [self.keys.story_event(report.rule, c) for c in report.countries]
        return bands, events

    async def _read(self, index: Sequence[str], *, now: datetime) -> _Read:
        floor = now.timestamp() - self.settings.window
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in index:
                pipe.zrangebyscore(key, floor, "+inf")
            found = await pipe.execute()
        seen = list(dict.fromkeys(text(raw) for ids in found for raw in ids))
        if not seen:
            return _Read()
        async with self.redis.pipeline(transaction=False) as pipe:
            for sid in seen:
                pipe.hgetall(self.keys.story(sid))
            raws = await pipe.execute()
        stories = [s for s in (load_story(raw) for raw in raws) if s is not None]
        return _Read(stories, seen)

    async def _commit(
        self,
        outcome: Outcome,
        expected: int,
        index: Sequence[str],
        *,
        now: datetime,
        marker: str | None = None,
        replay_of: Report | None = None,
        seen: Sequence[str] = (),
    ) -> str:
        story = outcome.story
        member_field, member_bytes = "", b""
        if outcome.new_member is not None:
            member_field = f"m{len(story.members) - 1}"
            member_bytes = pack_tokens(outcome.new_member)
        if outcome.edit_due is not None:
            due = repr(outcome.edit_due)
        elif outcome.clear_due:
            due = "-"
        else:
            due = ""
        story_key = self.keys.story(story.id)
        replay = story_key
        if replay_of is not None:
            replay = self.keys.detection_alerts(replay_of.entry_id, replay_of.rule)
        result = await self._commit_script(
            keys=[story_key, marker or story_key, self.keys.stories_recent(),
                  self.keys.stories_edit_due(), replay, *index],
            args=[
                str(expected), dump_story(story), member_field, member_bytes,
                int(self.settings.window * 1000), int(self.settings.dedup_ttl * 1000),
                story.id, repr(now.timestamp()), repr(self.settings.window), due,
                RECENT_MAX, "1" if marker else "0",
                json.dumps([encode_alert(a) for a in outcome.alerts]), REPLAY_TTL * 1000,
                *seen,
            ],
        )
        return text(result)


