"""Stories against a real Redis: one alert per story, sources, updates, dedup, races."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.config.settings import StorySettings
from bot.delivery.outbox import Outbox
from bot.store.keys import Keys
from bot.stories.decisions import (
    create,
    entry_id,
    is_breaking,
    judge,
    make_report,
    material_changes,
    merge,
    report_facts,
    story_facts,
)
from bot.stories.similarity import fingerprint
from bot.stories.store import StoryStore
from bot.stories.types import Report, Story
from bot.types import Alert, AlertKind, Entry
from detectors.types import Detection, Severity
from tests.conftest import REFERENCE_ARTICLE
from tests.reference import REWRITE_A, REWRITE_B

DATA = Path(__file__).resolve().parent / "data" / "stories"
REFERENCE = REFERENCE_ARTICLE.read_text(encoding="utf-8")
T0 = datetime(2022, 1, 10, 12, 0, tzinfo=UTC)

TROOPS = "According to the President, 2,030 troops and 250 units of equipment of the CSTO peacekeeping mission are currently deployed in the country."  # noqa: E501
DETAINED = "The Ministry of Internal Affairs of Kazakhstan reported the detention of almost 8,000 people."  # noqa: E501
EMERGENCY = "Currently, a state of emergency has been imposed throughout the country."


def entry(feed: str, key: str, title: str, text: str, published: datetime,
          source: str = "", language: str = "en") -> Entry:
    return Entry(feed_id=feed, key=key, url=f"https://{feed}.example/{key}", title=title,
                 text=text, published=published, language=language,
                 content_hash=str(hash(text)), source=source or feed)


def det(rule: str, countries: Sequence[str] = ("KZ",), figures: dict[str, int] | None = None,
        severity: Severity = Severity.HIGH, evidence: Sequence[str] = ()) -> Detection:
    return Detection(rule=rule, countries=tuple(countries), severity=severity, score=1.0,
                     figures=figures or {}, evidence=tuple(evidence), language="en")


def reference_detections(detained: int = 8000) -> list[Detection]:
    return [
        det("troop-deployment", figures={"troops": 2030, "equipment": 250}, evidence=[TROOPS]),
        det("state-of-emergency", evidence=[EMERGENCY]),
        det("mass-detention", figures={"detained": detained}, evidence=[DETAINED],
            severity=Severity.CRITICAL),
    ]


def kinds(alerts: Sequence[Alert], rule: str) -> list[AlertKind]:
    return [a.kind for a in alerts if a.rule == rule]


async def test_reference_and_two_rewrites_make_one_story_issue5(
    redis_client: aioredis.Redis, keys: Keys
) -> None:
    store = StoryStore(redis_client, keys, lambda: StorySettings())
    ref = entry("world-en", "kz-1", "Putin: troops sent to Kazakhstan to stop 'aggression of "
                "international terrorism'", REFERENCE, T0, source="World EN")
    a = entry("steppe", "a-1", "CSTO summit: Putin blames 'international terrorism' for "
              "Kazakhstan unrest", REWRITE_A, T0 + timedelta(minutes=20), source="Steppe Wire")
    b = entry("eurasia", "b-1", "Kazakhstan: detentions rise to 12,000 as CSTO leaders back "
              "Tokayev", REWRITE_B, T0 + timedelta(minutes=25), source="Eurasia Daily")

    first = await store.ingest(ref, reference_detections(), now=T0)
    second = await store.ingest(a, reference_detections(), now=T0 + timedelta(minutes=20))
    third = await store.ingest(b, reference_detections(12000), now=T0 + timedelta(minutes=25))
    alerts = [*first, *second, *third]

    # One story for the article, all three event types in its one alert; the raised
    # figure is the only update (issue 12: one message per article).
    assert [a.kind for a in alerts] == [AlertKind.NEW, AlertKind.SOURCES, AlertKind.UPDATE]
    assert len({a.story_id for a in alerts}) == 1
    new = first[0]
    assert new.rules == ("troop-deployment", "state-of-emergency", "mass-detention")
    assert dict(new.events) == {r: ("KZ",) for r in new.rules}
    update = next(a for a in alerts if a.kind is AlertKind.UPDATE)
    assert tuple(map(str, update.changes)) == ("detained: 8,000 → 12,000",)
    assert update.figures["detained"] == 12000
    assert update.source == "Eurasia Daily" and update.countries == ("KZ",)
    assert "12,000" in update.summary
    assert second[0].sources == ("Steppe Wire",) and second[0].title == ref.title

    # The third outlet waits for the edit interval, then comes in one coalesced edit.
    assert await store.due_edits(now=T0 + timedelta(minutes=29)) == []
    edits = await store.due_edits(now=T0 + timedelta(minutes=31))
    assert [e.kind for e in edits] == [AlertKind.SOURCES]
    assert edits[0].sources == ("Steppe Wire", "Eurasia Daily")
    # Three outlets within 30 minutes: the story is breaking, and the edit says so.
    assert edits[0].breaking
    assert await store.due_edits(now=T0 + timedelta(hours=2)) == []

    # The NEW alert carries a real summary: the lead plus the evidence, ≤ 400 chars, and
    # the figures of every type.
    assert TROOPS in new.summary and len(new.summary) <= 400
    assert new.severity is Severity.CRITICAL
    assert new.figures == {"troops": 2030, "equipment": 250, "detained": 8000}


async def test_new_event_type_in_an_open_story_is_an_update_issue12(
    redis_client: aioredis.Redis, keys: Keys
) -> None:
    store = StoryStore(redis_client, keys, lambda: StorySettings())
    protest = entry("a", "a1", "Protests in Almaty: 500 detained", REWRITE_A, T0, source="A")
    later = entry("b", "b1", "Almaty: state of emergency after protests, 500 detained",
                  REWRITE_A, T0 + timedelta(hours=2), source="B")
    first = await store.ingest(protest, [det("mass-detention", figures={"detained": 500})],
                               now=T0)
    second = await store.ingest(later, [det("state-of-emergency"),
                                        det("mass-detention", figures={"detained": 500})],
                                now=T0 + timedelta(hours=2))
    update = next(a for a in second if a.kind is AlertKind.UPDATE)
    assert update.story_id == first[0].story_id
    assert tuple(map(str, update.changes)) == ("new event: state-of-emergency",)
    assert update.rules == ("mass-detention", "state-of-emergency")
    # Later reports of either type join the story.
    third = await store.ingest(
        entry("c", "c1", "State of emergency in Almaty", "Almaty is under a state of "
              "emergency.", T0 + timedelta(hours=3), source="C"),
        [det("state-of-emergency")], now=T0 + timedelta(hours=3))
    assert all(a.story_id == first[0].story_id for a in third)
    assert not any(a.kind is AlertKind.NEW for a in third)


async def test_exact_dedup_survives_repoll_edit_and_restart(
    redis_client: aioredis.Redis, keys: Keys
) -> None:
    settings = StorySettings()
    outbox = Outbox(redis_client, keys)

    async def ingest_and_publish(store: StoryStore, e: Entry, dets: list[Detection]) -> int:
        published = 0
        for alert in await store.ingest(e, dets, now=T0):
            published += bool(await outbox.publish(alert))
        return published

    e = entry("world-en", "kz-1", "Putin: troops sent to Kazakhstan", REFERENCE, T0)
    store = StoryStore(redis_client, keys, lambda: settings)
    first = await store.ingest(e, reference_detections(), now=T0)
    assert len(first) == 1  # one article, one story, whatever rules it matched
    # The batch "crashed" before publishing: the re-poll gives the same alerts again,
    # with the same ids, so they are published now, and only once.
    again = await store.ingest(e, reference_detections(), now=T0)
    assert [a.id for a in again] == [a.id for a in first]
    assert await ingest_and_publish(store, e, reference_detections()) == 1
    assert await ingest_and_publish(store, e, reference_detections()) == 0
    edited = replace(e, text=REFERENCE + " Updated.", content_hash="v2")
    assert await ingest_and_publish(store, edited, reference_detections(12000)) == 0
    restarted = StoryStore(redis_client, keys, lambda: settings)
    assert await ingest_and_publish(restarted, e, reference_detections()) == 0
    assert await redis_client.xlen(keys.outbox()) == 1
    # After the replay window only the marker is left: nothing at all comes back.
    replay = keys.detection_alerts(
        entry_id(e), "mass-detention+state-of-emergency+troop-deployment")
    assert 0 < await redis_client.pttl(replay) <= 3600 * 1000
    await redis_client.delete(replay)
    assert await restarted.ingest(edited, reference_detections(), now=T0) == []


async def test_alert_ids_are_deterministic(redis_url: str) -> None:
    ids: list[list[str]] = []
    for _ in range(2):
        k = Keys(prefix=f"ewtest:ids{len(ids)}{id(ids)}:v1")
        client = aioredis.Redis.from_url(redis_url)
        try:
            store = StoryStore(client, k, lambda: StorySettings())
            got = await store.ingest(entry("w", "1", "Putin: troops", REFERENCE, T0),
                                     reference_detections(), now=T0)
            got += await store.ingest(entry("s", "2", "CSTO summit", REWRITE_A, T0),
                                      reference_detections(), now=T0)
            ids.append([a.id for a in got])
        finally:
            from tests.conftest import delete_prefix

            await delete_prefix(client, k)
            await client.aclose()
    assert ids[0] == ids[1] and len(set(ids[0])) == len(ids[0]) == 2


async def test_cross_language_report_joins_through_event_signature(
    redis_client: aioredis.Redis, keys: Keys
) -> None:
    store = StoryStore(redis_client, keys, lambda: StorySettings())
    en = entry("agency-en", "by-1", "Belarus police detain 3,000 after election protests",
               "Police in Belarus detained about 3,000 people overnight as protests broke out in "
               "Minsk after the election, the interior ministry said.", T0)
    ru = entry("novosti-ru", "by-2", "МВД Белоруссии сообщило о задержании около 3 тысяч человек",
               "Около 3 тысяч человек задержаны в Белоруссии в ходе акций протеста после выборов, "
               "сообщило МВД.", T0 + timedelta(minutes=10), language="ru")
    detention = [det("mass-detention", ("BY",), {"detained": 3000})]
    first = await store.ingest(en, detention, now=T0)
    second = await store.ingest(ru, detention, now=T0 + timedelta(minutes=10))
    assert [a.kind for a in first] == [AlertKind.NEW]
    assert [a.kind for a in second] == [AlertKind.SOURCES]
    assert second[0].story_id == first[0].story_id and second[0].sources == ("novosti-ru",)


async def test_look_alikes_stay_apart(redis_client: aioredis.Redis, keys: Keys) -> None:
    store = StoryStore(redis_client, keys, lambda: StorySettings())
    am = entry("agency-en", "am", "Armenian police detain 180 as opposition blocks Yerevan streets",
               "Police in Armenia detained more than 180 people on Tuesday as opposition "
               "supporters blocked streets in Yerevan.", T0)
    ge = entry("agency-en", "ge", "Georgian police detain 40 as opposition protest blocks Tbilisi",
               "Police in Georgia detained about 40 people on Tuesday as opposition supporters "
               "blocked an avenue in Tbilisi.", T0 + timedelta(hours=1))
    # The same country and rule, a day later and a much smaller count: another incident.
    am2 = entry("daily-en", "am2", "Dozens more detained in Yerevan as opposition keeps pressure",
                "Armenian police detained about 40 more protesters in Yerevan on Wednesday, the "
                "second day of road blockades.", T0 + timedelta(hours=20))
    # The same story after the window has passed is a new story.
    later = replace(am, key="am-later", feed_id="other",
                    published=T0 + timedelta(days=5))
    a1 = await store.ingest(am, [det("mass-detention", ("AM",), {"detained": 180})], now=T0)
    a2 = await store.ingest(ge, [det("mass-detention", ("GE",), {"detained": 40})],
                            now=T0 + timedelta(hours=1))
    a3 = await store.ingest(am2, [det("mass-detention", ("AM",), {"detained": 40})],
                            now=T0 + timedelta(hours=20))
    a4 = await store.ingest(later, [det("mass-detention", ("AM",), {"detained": 180})],
                            now=T0 + timedelta(days=5))
    assert [a.kind for a in (*a1, *a2, *a3, *a4)] == [AlertKind.NEW] * 4
    assert len({a.story_id for a in (*a1, *a2, *a3, *a4)}) == 4


class RacingStore(StoryStore):
    """Both workers read before either commits: the worst interleaving, every time."""

    def __init__(self, *args: object, barrier: asyncio.Barrier, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.barrier = barrier
        self.reads = 0

    async def _read(self, *args, **kw):  # type: ignore[no-untyped-def]
        result = await super()._read(*args, **kw)
        self.reads += 1
        if self.reads == 1:
            await self.barrier.wait()
        return result


async def test_two_workers_ingesting_one_story_at_once_make_one_story(
    redis_url: str, redis_client: aioredis.Redis, keys: Keys
) -> None:
    other = aioredis.Redis.from_url(redis_url)
    try:
        barrier = asyncio.Barrier(2)
        w1 = RacingStore(redis_client, keys, StorySettings, barrier=barrier)
        w2 = RacingStore(other, keys, StorySettings, barrier=barrier)
        e1 = entry("world-en", "kz-1", "Putin: troops sent to Kazakhstan", REFERENCE, T0,
                   source="World EN")
        e2 = entry("mirror", "kz-1", "Putin: troops sent to Kazakhstan", REFERENCE, T0,
                   source="Mirror")
        dets = [det("mass-detention", figures={"detained": 8000})]
        r1, r2 = await asyncio.gather(w1.ingest(e1, dets, now=T0), w2.ingest(e2, dets, now=T0))
        alerts = [*r1, *r2]
        assert sorted(a.kind for a in alerts) == sorted([AlertKind.NEW, AlertKind.SOURCES])
        assert len({a.story_id for a in alerts}) == 1
        assert w1.reads + w2.reads == 3  # the loser read again after its claim failed
        story = await w1.get(alerts[0].story_id)
        assert story is not None and set(story.sources) == {"World EN", "Mirror"}
    finally:
        await other.aclose()


async def test_many_concurrent_ingests_of_one_story(
    redis_url: str, redis_client: aioredis.Redis, keys: Keys
) -> None:
    clients = [aioredis.Redis.from_url(redis_url) for _ in range(4)]
    try:
        stores = [StoryStore(c, keys, lambda: StorySettings()) for c in clients]
        dets = [det("mass-detention", figures={"detained": 8000})]
        jobs = [
            stores[i % 4].ingest(
                entry(f"feed{i}", "kz", "Putin: troops sent to Kazakhstan", REFERENCE, T0),
                dets, now=T0)
            for i in range(8)
        ]
        alerts = [a for batch in await asyncio.gather(*jobs) for a in batch]
        assert [a.kind for a in alerts].count(AlertKind.NEW) == 1
        assert len({a.story_id for a in alerts}) == 1
        story = await stores[0].get(alerts[0].story_id)
        assert story is not None and story.reports == 8 and len(story.sources) == 8
    finally:
        for c in clients:
            await c.aclose()


async def test_everything_expires_and_recent_lists_latest(
    redis_client: aioredis.Redis, keys: Keys
) -> None:
    store = StoryStore(redis_client, keys, lambda: StorySettings())
    await store.ingest(entry("w", "1", "Putin: troops sent to Kazakhstan", REFERENCE, T0),
                       reference_detections(), now=T0)
    await store.ingest(entry("s", "2", "CSTO summit", REWRITE_A, T0 + timedelta(minutes=1)),
                       reference_detections(), now=T0 + timedelta(minutes=1))
    await store.ingest(entry("e", "3", "Detentions rise", REWRITE_B, T0 + timedelta(minutes=2)),
                       reference_detections(12000), now=T0 + timedelta(minutes=2))
    found = [k async for k in redis_client.scan_iter(match=keys.pattern())]
    assert found
    for key in found:
        assert await redis_client.ttl(key) > 0, key
    latest = await store.recent(limit=2)
    assert len(latest) == 1  # one story for the article and its rewrites, all three rules
    assert all(s.reports == 3 for s in latest)
    assert all(len(s.members) >= 1 for s in latest)


# -- pure decisions -----------------------------------------------------------------


def report(text: str, *, title: str = "t", source: str = "A", figures: dict[str, int] | None = None,
           countries: tuple[str, ...] = ("KZ",), severity: int = 3, minutes: int = 0,
           rule: str = "mass-detention") -> Report:
    e = entry(source.lower(), f"{source}{minutes}", title, text, T0 + timedelta(minutes=minutes),
              source=source)
    d = det(rule, countries, figures, Severity(severity))
    return make_report(e, d, now=T0 + timedelta(minutes=minutes), fp=fingerprint(title, text))


def test_material_change_rules() -> None:
    settings = StorySettings()
    story = create(report("x", figures={"detained": 1000}), now=T0).story

    def changes(r: Report, s: Story = story) -> list[str]:
        return [str(c) for c in material_changes(r, s, settings)[0]]

    assert changes(report("x", figures={"detained": 1400})) == []
    assert changes(report("x", figures={"detained": 1500})) == ["detained: 1,000 → 1,500"]
    assert changes(report("x", countries=("KZ", "KG"))) == ["new location: KG"]
    assert changes(report("x", severity=4)) == ["severity: high → critical"]
    # After an update, the next rise is measured from what was alerted.
    updated = merge(story, report("x", source="B", figures={"detained": 8000}), settings,
                    now=T0).story
    assert changes(report("x", figures={"detained": 9000}), updated) == []


def test_breaking_needs_distinct_outlets_within_the_window() -> None:
    settings = StorySettings(breaking_outlets=3, breaking_window=1800)
    assert is_breaking([0, 600, 1700], settings)
    assert not is_breaking([0, 1000, 2000], settings)
    assert not is_breaking([0, 10], settings)


def test_judge_reasons() -> None:
    settings = StorySettings()
    base = report(REWRITE_A, title="CSTO summit: Putin blames terrorism",
                  figures={"detained": 8000})
    story = create(base, now=T0).story
    same = judge(report(REWRITE_A, title="Putin blames terrorism at CSTO summit", source="B",
                        figures={"detained": 8000}), story, settings)
    assert same.same and same.reason.startswith("p(same story)")
    assert "shared wording" in same.reason
    smaller = judge(report(REWRITE_A, source="B", figures={"detained": 50}), story, settings)
    assert not smaller.same and "below" in smaller.reason
    far = judge(report(REWRITE_A, source="B", minutes=60 * 72), story, settings)
    assert not far.same and "window" in far.reason


def test_entry_identity_ignores_content() -> None:
    e = entry("f", "k", "t", "one", T0)
    assert entry_id(e) == entry_id(replace(e, text="two", content_hash="x"))
    assert entry_id(e) != entry_id(replace(e, feed_id="g"))


@pytest.mark.parametrize("interval", [600, 60])
async def test_edit_interval_is_configurable(
    redis_client: aioredis.Redis, keys: Keys, interval: int
) -> None:
    store = StoryStore(redis_client, keys, lambda: StorySettings(edit_interval=interval))
    dets = [det("mass-detention", figures={"detained": 8000})]
    out = []
    for i, outlet in enumerate(["A", "B", "C"]):
        at = T0 + timedelta(seconds=30 * i)
        out += await store.ingest(entry(outlet, "k", "Putin: troops sent to Kazakhstan",
                                        REFERENCE, at, source=outlet), dets, now=at)
    assert [a.kind for a in out] == [AlertKind.NEW, AlertKind.SOURCES]
    before = await store.due_edits(now=T0 + timedelta(seconds=30 + interval - 1))
    after = await store.due_edits(now=T0 + timedelta(seconds=30 + interval))
    assert before == [] and [a.sources for a in after] == [("B", "C")]


async def test_labelled_clusters_merge_with_pairwise_f1_above_target_issue5(
    redis_client: aioredis.Redis, keys: Keys
) -> None:
    """The labelled set of tests/data/stories, through the live store (bench/stories.py)."""
    import itertools
    import json

    records = []
    for path in sorted(DATA.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh)
    records.sort(key=lambda r: r["published"])
    store = StoryStore(redis_client, keys, lambda: StorySettings())
    story_of: dict[str, set[str]] = {}
    for r in records:
        at = datetime.fromisoformat(r["published"])
        e = entry(r["feed"], r["id"], r["title"], r["text"], at, source=r["source"],
                  language=r["language"])
        dets = [det(x["rule"], x["countries"], x["figures"]) for x in r["events"]] or [
            det("any", ())]
        await store.ingest(e, dets, now=at)
        marker = "+".join(sorted({d.rule for d in dets}))
        sid = await redis_client.get(keys.detection(entry_id(e), marker))
        assert sid is not None
        story_of[r["id"]] = {sid.decode()}
    tp = fp = fn = 0
    for a, b in itertools.combinations(records, 2):
        gold = a["cluster"] == b["cluster"]
        merged = bool(story_of[a["id"]] & story_of[b["id"]])
        tp += gold and merged
        fp += merged and not gold
        fn += gold and not merged
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.9, (precision, recall)


async def test_no_detection_no_story_and_expired_story_leaves_due_set(
    redis_client: aioredis.Redis, keys: Keys
) -> None:
    store = StoryStore(redis_client, keys, lambda: StorySettings())
    e = entry("w", "1", "Putin: troops sent to Kazakhstan", REFERENCE, T0)
    assert await store.ingest(e, [], now=T0) == []
    assert [k async for k in redis_client.scan_iter(match=keys.pattern())] == []
    dets = [det("mass-detention", figures={"detained": 8000})]
    await store.ingest(e, dets, now=T0)
    await store.ingest(entry("a", "2", "x", REWRITE_A, T0, source="A"), dets, now=T0)
    new = await store.ingest(entry("b", "3", "y", REWRITE_A, T0, source="B"), dets, now=T0)
    assert new == []  # the edit waits
    (story_id,) = [m.decode() for m in await redis_client.zrange(keys.stories_edit_due(), 0, -1)]
    await redis_client.delete(keys.story(story_id))  # the story expired meanwhile
    assert await store.due_edits(now=T0 + timedelta(hours=1)) == []
    assert await redis_client.zcard(keys.stories_edit_due()) == 0


async def test_due_edit_survives_a_crash_before_its_commit(
    redis_client: aioredis.Redis, keys: Keys
) -> None:
    """An edit is queued before the story records it as sent: a crash in between queues
    the same alert id again, never loses it."""
    store = StoryStore(redis_client, keys, lambda: StorySettings())
    for feed, minutes in (("a", 0), ("b", 1), ("c", 2)):
        await store.ingest(entry(feed, "1", "Kazakhstan unrest", REWRITE_A,
                                 T0 + timedelta(minutes=minutes), source=feed.upper()),
                           reference_detections(), now=T0 + timedelta(minutes=minutes))
    later = T0 + timedelta(minutes=30)

    class Crash(Exception):
        pass

    queued: list[str] = []

    async def crash_after_queueing(alerts: list[Alert]) -> None:
        queued.extend(a.id for a in alerts)
        raise Crash

    with pytest.raises(Crash):
        await store.due_edits(now=later, publish=crash_after_queueing)
    assert len(queued) == 1

    async def publish(alerts: list[Alert]) -> None:
        queued.extend(a.id for a in alerts)

    edits = await store.due_edits(now=later, publish=publish)
    assert len(edits) == 1 and queued[0] in {e.id for e in edits}
    assert len(set(queued)) == 1  # the repeat carries the same id: the outbox drops it


def test_day_only_date_is_the_whole_day_not_midnight_issue12() -> None:
    settings = StorySettings()
    late = T0.replace(hour=23)  # a story founded late on 10 January
    story = create(report("x", figures={"detained": 1000}), now=late).story
    story = replace(story, first=late, last=late)
    day = datetime(2022, 1, 11, tzinfo=UTC)
    e = replace(entry("b", "b1", "t", "x", day, source="B"), day_only=True)
    dated = make_report(e, det("mass-detention", figures={"detained": 1000}), now=late,
                        fp=fingerprint("t", "x"))
    # The next day's date is not 23:00 + 1 h: it can be any hour of 11 January.
    assert dated.day_only and judge(dated, story, settings).same
    far = make_report(replace(e, published=day + timedelta(days=4)),
                      det("mass-detention", figures={"detained": 1000}),
                      now=day + timedelta(days=5), fp=fingerprint("t", "x"))
    assert not judge(far, story, settings).same
    # Midnight taken as an exact time would fall outside a tight window.
    tight = settings.model_copy(update={"window": 600, "event_window": 600})
    assert judge(dated, replace(story, first=day + timedelta(hours=9),
                                last=day + timedelta(hours=9)), tight).same
    exact = replace(dated, day_only=False)
    assert not judge(exact, replace(story, first=day + timedelta(hours=9),
                                    last=day + timedelta(hours=9)), tight).same


def test_a_date_without_a_time_is_published_at_its_midday_issue12() -> None:
    """What the judge reads as the moment of publication: a date at its midday (for
    'published on another day'), a time as it is, and nothing for no date at all."""
    day = datetime(2022, 1, 11, tzinfo=UTC)
    e = replace(entry("b", "b1", "t", "x", day, source="B"), day_only=True)
    dated = make_report(e, det("mass-detention"), now=day, fp=fingerprint("t", "x"))
    noon = (day + timedelta(hours=12)).timestamp()
    assert report_facts(dated).moments == (noon, noon)
    story = create(dated, now=day).story
    assert story_facts(story).moments == (noon, noon)
    timed = replace(dated, day_only=False)
    assert report_facts(timed).moments == (day.timestamp(),) * 2
    assert report_facts(replace(dated, undated=True)).moments is None


def test_missing_published_time_is_the_fetch_time_issue12() -> None:
    e = replace(entry("b", "b1", "t", "x", T0), published=None)
    r = make_report(e, det("mass-detention"), now=T0, fp=fingerprint("t", "x"))
    assert (r.published, r.day_only) == (T0, False)


def test_stories_and_alerts_stored_before_issue12_still_decode() -> None:
    import json

    from bot.stories.codec import dump_story, load_story
    from bot.types import decode_alert, encode_alert

    story = create(report("x", figures={"detained": 1000}), now=T0).story
    old = json.loads(dump_story(story))
    del old["events"], old["alerted_rules"]
    loaded = load_story({b"state": json.dumps(old).encode(), b"rev": b"3"})
    assert loaded is not None and loaded.rules == ("mass-detention",) and loaded.rev == 3
    assert material_changes(report("x", figures={"detained": 1000}), loaded,
                            StorySettings())[0] == []
    alert = create(report("x"), now=T0).alerts[0]
    raw = json.loads(encode_alert(alert))
    assert raw["events"] == {"mass-detention": ["KZ"]}
    assert decode_alert(json.dumps(raw)) == alert
    del raw["events"]
    assert decode_alert(json.dumps(raw)).rules == ("mass-detention",)
