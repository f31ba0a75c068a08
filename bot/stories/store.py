"""Stories in Redis: `StoryStore` is the edge between the story decisions and Redis.

It reads candidates, calls the decisions and commits the result with one Lua script
that checks, atomically, that nothing changed since the read (the story's revision,
the detection marker, and — for a new story — that no other worker indexed a story
under the same bands or event keys meanwhile). On a conflict it reads again and
decides again, so two workers never make two stories. Exact dedup: a marker per
(entry, rule), written in the same commit, lives `stories.dedup_ttl`; ingesting that
pair again gives no new alert, only — for REPLAY_TTL — the alerts it made, so that a
batch that crashed before publishing them publishes them on the re-poll (the outbox
drops ids it already has).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import redis.asyncio as aioredis

from bot.config.settings import StorySettings
from bot.errors import StoryConflictError
from bot.store.keys import Keys
from bot.store.redis import text
from bot.stories.codec import dump_story, load_story
from bot.stories.decisions import choose, create, flush, make_report, merge
from bot.stories.embed import Embedder, embedding_text, shared_embedder
from bot.stories.places import warm as warm_places
from bot.stories.similarity import pack_tokens
from bot.stories.types import Outcome, Report, Story
from bot.types import Alert, Entry, decode_alert, encode_alert
from detectors.types import Detection

log = logging.getLogger(__name__)

RECENT_MAX = 200
MAX_ATTEMPTS = 10
# A batch that crashed after its stories were committed but before its alerts were
# published is polled again within minutes; for this long its alerts are given again
# (same ids: the outbox drops what it already has), so nothing is lost.
REPLAY_TTL = 3600

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


def marker_rule(report: Report) -> str:
    """What an entry was counted for: its set of rules (an edit adding one is news)."""
    return rules_marker(report.rules)


def rules_marker(rules: Iterable[str]) -> str:
    return "+".join(sorted(set(rules)))


@dataclass(slots=True)
class _Read:
    stories: list[Story] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # every id found under the index keys


class StoryStore:
    """Stories in Redis; every decision is one of the pure functions in `decisions`."""

    def __init__(self, redis: aioredis.Redis, keys: Keys,
                 settings: Callable[[], StorySettings],
                 embedder: Embedder | None = None) -> None:
        self.redis = redis
        self.keys = keys
        self._settings = settings
        self.embedder = embedder or shared_embedder()
        self._commit_script = redis.register_script(_COMMIT)

    @property
    def settings(self) -> StorySettings:
        """The settings in force: read through the accessor, so a reload applies at once."""
        return self._settings()

    async def warm(self) -> None:
        """Build what reports need once per process (the places' gazetteer, a second or
        more), off the loop; `embed` does it too, for a store nobody warmed."""
        await asyncio.to_thread(warm_places)

    async def embed(self, entries: Sequence[Entry]) -> list[bytes]:
        """Embeddings of the entries' headline and lead, in one batch, off the loop."""
        texts = [embedding_text(e.title, e.text) for e in entries]
        if not texts:
            return []
        try:
            return await asyncio.to_thread(self._embed, texts)
        except Exception:  # judged on facts and wording alone rather than not at all
            log.exception("embedding failed; stories are judged without meaning",
                          extra={"entries": len(texts)})
            return [b""] * len(texts)

    def _embed(self, texts: list[str]) -> list[bytes]:
        warm_places()  # its gazetteer is built once, here off the loop rather than on it
        return self.embedder.embed(texts)

    async def ingest(
        self, entry: Entry, detections: Sequence[Detection], *, now: datetime,
        vector: bytes | None = None,
    ) -> list[Alert]:
        """Apply one entry's detections; return the alerts to enqueue (maybe none).
        `vector`: its embedding, when the caller embedded a batch (`embed`)."""
        if not detections:
            return []
        if vector is None:
            (vector,) = await self.embed([entry])
        # One report for all the entry's rules: one story, one message per subscriber.
        report = make_report(entry, detections, now=now, vector=vector)
        return await self.apply(report, now=now)

    async def apply(self, report: Report, *, now: datetime) -> list[Alert]:
        marker = self.keys.detection(report.entry_id, marker_rule(report))
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
        raw = await self.redis.get(
            self.keys.detection_alerts(report.entry_id, marker_rule(report)))
        if not raw:
            return []
        return [decode_alert(a) for a in json.loads(raw)]

    def _index_keys(self, report: Report) -> tuple[list[str], list[str]]:
        bands = [self.keys.story_band(i, v) for i, v in enumerate(report.fingerprint.bands())]
        events = [self.keys.story_event(rule, c)
                  for rule, countries in report.events.items() for c in countries]
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
            replay = self.keys.detection_alerts(replay_of.entry_id, marker_rule(replay_of))
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
