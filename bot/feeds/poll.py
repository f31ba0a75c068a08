"""Poll one feed: fetch → parse → seen filter → the entries that are new or edited.

State per feed lives in Redis (`Keys.feed_state`): the URL the state belongs to, the
effective URL after a permanent redirect, the validators (ETag, Last-Modified, body
hash), and health (last success, last error, consecutive failures, dead, interval).
The seen set is one hash per feed (`Keys.seen_set`): entry key → "content_hash hour",
plus the tag of its link for an entry keyed by its guid (`bot.store.seen.SeenRecord`):
that is how a repeated guid is given back to the link it belongs to on every poll
(`bot.feeds.identity.resolve_guid_keys`).

Exactly-once contract
---------------------
`poll()` reads the seen set but never marks a *returned* entry as seen. The caller
handles `result.entries`, then calls `commit(result)` (or `mark_seen` for a subset).
A crash in between means the next poll returns the same entries again, so nothing is
lost; alert dedup downstream makes the repeat harmless. For the same reason the
validators (ETag, Last-Modified, body hash) of a body that yielded entries are only
stored by `commit`: otherwise a crash would leave a 304 or an "unchanged" body
hiding entries that were never handled.

Entries that are *not* returned are written by `poll()` directly: entries suppressed
on a first poll (outside `backfill`) and refreshes of entries still in the feed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import redis.asyncio as aioredis

from bot.config.settings import FeedSpec, PollSettings
from bot.errors import FeedError, FeedErrorKind
from bot.feeds.fetch import Fetcher, FetchResult, http_error
from bot.feeds.identity import resolve_guid_keys
from bot.feeds.intervals import Outcome, base_interval, next_interval
from bot.feeds.parse import Parser
from bot.feeds.types import ParsedFeed
from bot.store.feedstate import FeedState, encode
from bot.store.keys import Keys
from bot.store.redis import text
from bot.store.seen import SeenRecord
from bot.times import moment
from bot.types import Entry

log = logging.getLogger(__name__)

LOG_WINDOW = 7 * 86400  # entries-per-day looks back this far
PRUNE_EVERY = 86400  # scan the seen hash for expired fields at most this often


@dataclass(frozen=True, slots=True)
class Validators:
    """What makes the next request conditional; stored by `Poller.commit`."""

    etag: str | None
    last_modified: str | None
    body_hash: str

    def fields(self) -> dict[Any, str]:
        return encode(etag=self.etag, last_modified=self.last_modified,
                      body_hash=self.body_hash)


class PollStatus(StrEnum):
    OK = "ok"  # a changed body, parsed
    NOT_MODIFIED = "not_modified"  # 304
    UNCHANGED = "unchanged"  # 200 with the body hash we already had: not parsed
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class PollResult:
    """One feed's poll. `entries` are new or edited (keys of edits in `edited`)."""

    feed_id: str
    status: PollStatus
    entries: tuple[Entry, ...] = ()
    edited: frozenset[str] = frozenset()
    error: FeedError | None = None
    problem: str | None = None  # parsed, but the feed was malformed (bozo)
    http_status: int = 0
    next_interval: float = 300.0
    failures: int = 0
    dead: bool = False
    dead_notice: bool = False  # this poll made the feed dead: tell the admins, once
    first_poll: bool = False
    suppressed: int = 0  # entries marked seen without alerting on a first poll
    url: str = ""  # the URL fetched
    moved_to: str | None = None  # a permanent redirect's target, now the effective URL
    pending: Validators | None = field(default=None, repr=False)
    wire_bytes: int = 0
    parse_seconds: float = 0.0  # time spent parsing the body (0 when nothing was parsed)
    # Items the body repeated (same identity, same words) and that were dropped; None
    # when no body was parsed (304, unchanged, error).
    duplicates: int | None = None
    tags: Mapping[str, str] = field(default_factory=dict, repr=False)  # guid key → link tag

    @property
    def ok(self) -> bool:
        return self.status is not PollStatus.ERROR


def body_hash(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


class Poller:
    def __init__(
        self,
        redis: aioredis.Redis,
        keys: Keys,
        settings: Callable[[], PollSettings],
        fetcher: Fetcher,
        parser: Parser,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self._settings = settings
        self.fetcher = fetcher
        self.parser = parser

    @property
    def settings(self) -> PollSettings:
        """The settings in force: read through the accessor, so a reload applies at once."""
        return self._settings()

    # -- public -----------------------------------------------------------
    async def poll(self, feed: FeedSpec, *, now: datetime | None = None) -> PollResult:
        """Fetch, parse and filter one feed. Never raises (except on cancellation)."""
        now = now or datetime.now(UTC)
        try:
            return await self._poll(feed, now)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("poll failed", extra={"feed": feed.id})
            error = FeedError(FeedErrorKind.INTERNAL,
                              f"internal error: {type(exc).__name__}: {exc}")
            return PollResult(feed.id, PollStatus.ERROR, error=error,
                              next_interval=base_interval(feed, self.settings), url=feed.url)

    async def poll_many(
        self,
        feeds: Sequence[FeedSpec],
        *,
        concurrency: int | None = None,
        progress: Callable[[FeedSpec, PollResult], Awaitable[None] | None] | None = None,
        now: datetime | None = None,
    ) -> list[PollResult]:
        """Poll every feed once (bounded concurrency); one result per feed, in order."""
        sem = asyncio.Semaphore(concurrency or self.settings.concurrency)

        async def one(feed: FeedSpec) -> PollResult:
            async with sem:
                result = await self.poll(feed, now=now)
            if progress is not None:
                maybe = progress(feed, result)
                if maybe is not None:
                    await maybe
            return result

        return list(await asyncio.gather(*(one(f) for f in feeds)))

    async def schedule_state(self, feeds: Sequence[FeedSpec]) -> dict[str, datetime]:
        """Feed id → next poll as the last poll decided it (backoff included), for
        `FeedScheduler.start(resume=...)`, so that a restart keeps each feed's pace."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for f in feeds:
                pipe.hmget(self.keys.feed_state(f.id), ["next_poll", "url"])
            replies = await pipe.execute()
        out: dict[str, datetime] = {}
        for f, (next_poll, url) in zip(feeds, replies, strict=True):
            when = moment(next_poll)
            if when is not None and url is not None and text(url) == f.url:
                out[f.id] = when
        return out

    async def commit(self, result: PollResult, entries: Iterable[Entry] | None = None,
                     *, now: datetime | None = None) -> None:
        """Mark the result's entries seen and store its validators. Call it after the
        pipeline has handled the entries (see the module docstring)."""
        chosen = tuple(result.entries if entries is None else entries)
        await self._mark(result.feed_id, chosen, now or datetime.now(UTC),
                         validators=result.pending, new_keys=set(e.key for e in chosen)
                         - result.edited, tags=result.tags)

    async def mark_seen(self, feed_id: str, entries: Iterable[Entry], *,
                        now: datetime | None = None,
                        tags: Mapping[str, str] | None = None) -> None:
        """Mark entries seen (their current content hash) after they were handled;
        `tags` are the link tags of guid keys (`PollResult.tags`)."""
        chosen = tuple(entries)
        await self._mark(feed_id, chosen, now or datetime.now(UTC), validators=None,
                         new_keys={e.key for e in chosen}, tags=tags or {})

    # -- internals --------------------------------------------------------
    def _hour(self, now: datetime) -> int:
        return int(now.timestamp() // 3600)

    async def _mark(self, feed_id: str, entries: tuple[Entry, ...], now: datetime, *,
                    validators: Validators | None, new_keys: set[str],
                    tags: Mapping[str, str]) -> None:
        hour = self._hour(now)
        ttl = int(self.settings.seen_ttl)
        seen = self.keys.seen_set(feed_id)
        logkey = self.keys.feed_entries_log(feed_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            if entries:
                pipe.hset(seen, mapping={
                    e.key: SeenRecord(e.content_hash, hour, tags.get(e.key)).encode()
                    for e in entries})
                pipe.expire(seen, ttl)
            if new_keys:
                ts = now.timestamp()
                pipe.zadd(logkey, {k: ts for k in new_keys})
                pipe.zremrangebyscore(logkey, "-inf", ts - LOG_WINDOW)
                pipe.expire(logkey, LOG_WINDOW + 86400)
            if validators is not None:
                pipe.hset(self.keys.feed_state(feed_id), mapping=validators.fields())
            await pipe.execute()

    async def _poll(self, feed: FeedSpec, now: datetime) -> PollResult:
        skey = self.keys.feed_state(feed.id)
        state = FeedState.decode(await self.redis.hgetall(skey))
        first = state.init != feed.url
        url = feed.url if first else (state.effective_url or feed.url)
        res: FetchResult = await self.fetcher.fetch(
            url,
            etag=None if first else state.etag,
            last_modified=None if first else state.last_modified,
            local=feed.is_local,  # only a configured path may be read from disk
        )
        previous = state.interval
        hint = state.feed_hint
        if res.status == 304 and not first:
            return await self._succeeded(feed, state, res, now, PollStatus.NOT_MODIFIED,
                                         previous, hint_ttl=hint)
        if not res.ok:
            reason = res.error or http_error(res.status)
            return await self._failed(feed, state, res, now, reason, previous)
        assert res.body is not None
        digest = body_hash(res.body)
        if not first and digest == state.body_hash:
            return await self._succeeded(
                feed, state, res, now, PollStatus.UNCHANGED, previous, hint_ttl=hint,
                validators=Validators(res.etag, res.last_modified, digest))
        started = time.perf_counter()
        parsed: ParsedFeed = await self.parser.parse(
            res.body, feed_id=feed.id, url=res.effective_url or url,
            source=feed.display_name, language=feed.language, content_type=res.content_type,
        )
        # Returned, not observed here: the caller owns the metrics, the poller stays free of them.
        took = time.perf_counter() - started
        if parsed.error:
            failed = await self._failed(feed, state, res, now,
                                        FeedError(FeedErrorKind.PARSE, parsed.error), previous)
            return replace(failed, parse_seconds=took)
        if parsed.problem:
            log.info("feed is malformed but usable",
                     extra={"feed": feed.id, "problem": parsed.problem})
        fresh = await self._fresh(feed, state, res, parsed, digest, now, first, previous)
        return replace(fresh, parse_seconds=took)

    async def _fresh(self, feed: FeedSpec, state: FeedState, res: FetchResult,
                     parsed: ParsedFeed, digest: str, now: datetime, first: bool,
                     previous: float | None) -> PollResult:
        seen = self.keys.seen_set(feed.id)
        entries, records, tags, inherited = await self._identify(seen, parsed)
        hour = self._hour(now)
        stale = max(1, int(self.settings.seen_ttl // 3600) // 2)
        fresh: list[Entry] = []
        edited: set[str] = set()
        touch: dict[str, str] = {}
        migrated: list[Entry] = []
        for e in entries:
            record = records.get(e.key)
            tag = tags.get(e.key)
            if record is None:
                if e.key in inherited and not first and not _after(e, state.last_success):
                    migrated.append(e)  # the old identity dropped it as a repeat: not news
                    touch[e.key] = SeenRecord(e.content_hash, hour).encode()
                else:
                    fresh.append(e)
            elif record.content_hash != e.content_hash:
                fresh.append(e)
                edited.add(e.key)
            elif hour - record.hour >= stale or record.tag != tag:
                # Still in the feed: keep it from expiring and coming back as new (and
                # remember which link its guid belongs to).
                touch[e.key] = SeenRecord(record.content_hash, hour, tag).encode()
        if migrated:
            log.info("entries the previous identity dropped as repeats marked seen",
                     extra={"feed": feed.id, "entries": len(migrated)})
        suppressed: list[Entry] = []
        if first:
            backfill = feed.backfill if feed.backfill is not None else self.settings.backfill
            if backfill == "all":
                keep = fresh
            else:
                cutoff = now - timedelta(seconds=float(backfill))
                keep = [e for e in fresh if backfill and e.published and e.published >= cutoff]
            kept = {e.key for e in keep}
            suppressed = [e for e in fresh if e.key not in kept]
            fresh = keep
            edited &= kept
            for e in suppressed:
                touch[e.key] = SeenRecord(e.content_hash, hour, tags.get(e.key)).encode()
        validators = Validators(res.etag, res.last_modified, digest)
        result_hint = max((h for h in (parsed.ttl, parsed.update_period) if h), default=None)
        status = PollStatus.OK
        extra_state = encode(init=feed.url, title=parsed.title[:200], problem=parsed.problem,
                             feed_hint=result_hint, entries=len(entries),
                             duplicates=parsed.duplicates,
                             **({"pruned": int(now.timestamp())} if first else {}))
        self._log_duplicates(feed, state, parsed)
        pipe_ops: list[Callable[[Any], None]] = []
        if touch:
            pipe_ops.append(lambda p: p.hset(seen, mapping=touch))
            pipe_ops.append(lambda p: p.expire(seen, int(self.settings.seen_ttl)))
        if first and suppressed:
            # Seed entries-per-day from what the feed published in the last week.
            week = now - timedelta(seconds=LOG_WINDOW)
            recent = {e.key: e.published.timestamp() for e in suppressed
                      if e.published and week <= e.published <= now}
            if recent:
                logkey = self.keys.feed_entries_log(feed.id)
                pipe_ops.append(lambda p: p.zadd(logkey, recent))
                pipe_ops.append(lambda p: p.expire(logkey, LOG_WINDOW + 86400))
        if first:
            log.info("first poll of feed", extra={"feed": feed.id, "suppressed": len(suppressed),
                                                  "backfilled": len(fresh)})
        result = await self._succeeded(
            feed, state, res, now, status, previous, hint_ttl=result_hint,
            validators=None if fresh else validators, new_entries=len(fresh),
            extra_state=extra_state, pipe_ops=pipe_ops,
        )
        if not first:
            await self._maybe_prune(feed.id, state, now)
        return PollResult(
            feed_id=feed.id,
            status=status,
            entries=tuple(fresh),
            edited=frozenset(edited),
            problem=parsed.problem,
            http_status=res.status,
            next_interval=result.next_interval,
            first_poll=first,
            suppressed=len(suppressed) + len(migrated),
            url=result.url,
            moved_to=result.moved_to,
            pending=validators if fresh else None,
            wire_bytes=res.wire_bytes,
            duplicates=parsed.duplicates,
            tags={e.key: tags[e.key] for e in fresh if e.key in tags},
        )

    async def _identify(
        self, seen: str, parsed: ParsedFeed
    ) -> tuple[tuple[Entry, ...], dict[str, SeenRecord], dict[str, str], frozenset[str]]:
        """The body's entries with their keys across polls, and what the seen set holds
        for them: one HMGET for the entries' keys and, for entries whose guid came with
        a link, both keys the guid may give them (`identity.resolve_guid_keys`)."""
        entries = parsed.entries
        links = parsed.guid_links
        lookup = [e.key for e in entries]
        known = set(lookup)
        for guid_link in links.values():
            for k in (guid_link.guid_key, guid_link.linked_key):
                if k not in known:
                    known.add(k)
                    lookup.append(k)
        values = await self.redis.hmget(seen, lookup) if lookup else []
        records = {k: SeenRecord.decode(v) for k, v in zip(lookup, values, strict=True)
                   if v is not None}
        if not links:
            return entries, records, {}, frozenset()
        resolved = resolve_guid_keys(entries, links, records)
        tags: dict[str, str] = {}
        out: list[Entry] = []
        for e in entries:
            key = resolved.keys.get(e.key, e.key)
            link = links.get(e.key)
            if link is not None and key == link.guid_key:
                tags[key] = link.tag
            out.append(e if key == e.key else replace(e, key=key))
        return tuple(out), records, tags, resolved.inherited

    def _log_duplicates(self, feed: FeedSpec, state: FeedState, parsed: ParsedFeed) -> None:
        """Once per feed, when it starts repeating items (and when it stops), not per poll."""
        before = state.duplicates or 0
        if parsed.duplicates and not before:
            log.warning("feed repeats entries; the repeats are dropped",
                        extra={"feed": feed.id, "duplicates": parsed.duplicates})
        elif before and not parsed.duplicates:
            log.info("feed no longer repeats entries", extra={"feed": feed.id})

    async def _succeeded(
        self,
        feed: FeedSpec,
        state: FeedState,
        res: FetchResult,
        now: datetime,
        status: PollStatus,
        previous: float | None,
        *,
        hint_ttl: float | None,
        validators: Validators | None = None,
        new_entries: int = 0,
        extra_state: dict[str, str] | None = None,
        pipe_ops: list[Callable[[Any], None]] | None = None,
    ) -> PollResult:
        outcome = Outcome(ok=True, http_status=res.status, new_entries=new_entries,
                          previous=previous, ttl=hint_ttl, max_age=res.max_age)
        interval = next_interval(outcome, self.settings, base_interval(feed, self.settings),
                                 adaptive=feed.interval is None)
        mapping: dict[Any, Any] = encode(
            url=feed.url, last_poll=now, last_success=now, last_status=res.status, failures=0,
            interval=round(interval), next_poll=now + timedelta(seconds=interval))
        if validators is not None:
            mapping.update(validators.fields())
        moved = self._moved(feed, state, res, mapping)
        if extra_state:
            mapping.update(extra_state)
        skey = self.keys.feed_state(feed.id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(skey, mapping=mapping)
            pipe.hsetnx(skey, "since", encode(since=now)["since"])
            pipe.hsetnx(skey, "first_poll", encode(first_poll=now)["first_poll"])
            if state.dead_since:
                pipe.hdel(skey, "dead_since")
            for op in pipe_ops or ():
                op(pipe)
            await pipe.execute()
        if state.dead_since:
            log.warning("dead feed recovered", extra={"feed": feed.id})
        return PollResult(feed.id, status, http_status=res.status, next_interval=interval,
                          url=res.url, moved_to=moved, wire_bytes=res.wire_bytes)

    def _moved(self, feed: FeedSpec, state: FeedState, res: FetchResult,
               mapping: dict[Any, Any]) -> str | None:
        target = res.permanent_url
        if target and target != feed.url and target != state.effective_url:
            log.warning("feed moved permanently",
                        extra={"feed": feed.id, "url": res.url, "location": target})
            mapping["effective_url"] = target
            return target
        if state.init != feed.url:
            mapping.update(encode(effective_url=target))
        return None

    async def _failed(self, feed: FeedSpec, state: FeedState, res: FetchResult,
                      now: datetime, reason: FeedError, previous: float | None) -> PollResult:
        skey = self.keys.feed_state(feed.id)
        failures = int(await self.redis.hincrby(skey, "failures", 1))
        outcome = Outcome(ok=False, http_status=res.status, failures=failures,
                          previous=previous, retry_after=res.retry_after)
        interval = next_interval(outcome, self.settings, base_interval(feed, self.settings))
        dead = failures >= self.settings.dead_after
        mapping: dict[Any, Any] = encode(
            url=feed.url, last_poll=now, last_error=str(reason)[:500], last_error_at=now,
            last_status=res.status, next_poll=now + timedelta(seconds=interval))
        notice = False
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(skey, mapping=mapping)
            pipe.hsetnx(skey, "first_poll", encode(first_poll=now)["first_poll"])
            if dead:
                pipe.hsetnx(skey, "dead_since", encode(dead_since=now)["dead_since"])
            replies = await pipe.execute()
        if dead:
            notice = bool(replies[-1])  # HSETNX: only the poll that crossed the line
        log.info("poll failed", extra={"feed": feed.id, "reason": str(reason),
                                       "failures": failures, "retry_in": interval})
        return PollResult(feed.id, PollStatus.ERROR, error=reason, http_status=res.status,
                          next_interval=interval, failures=failures, dead=dead,
                          dead_notice=notice, url=res.url, wire_bytes=res.wire_bytes)

    async def _maybe_prune(self, feed_id: str, state: FeedState, now: datetime) -> None:
        last = state.pruned
        ts = now.timestamp()
        if last is not None and ts - last < PRUNE_EVERY:
            return
        seen = self.keys.seen_set(feed_id)
        oldest = self._hour(now) - int(self.settings.seen_ttl // 3600)
        stale: list[bytes] = []
        async for name, value in self.redis.hscan_iter(seen, count=500):
            if SeenRecord.decode(value).hour < oldest:
                stale.append(name)
        async with self.redis.pipeline(transaction=False) as pipe:
            if stale:
                pipe.hdel(seen, *stale)
            pipe.hset(self.keys.feed_state(feed_id), mapping=encode(pruned=int(ts)))
            await pipe.execute()


def _after(entry: Entry, moment_: datetime | None) -> bool:
    """Published after `moment_` (an undated entry, or no moment, is not)."""
    return entry.published is not None and moment_ is not None and entry.published > moment_
