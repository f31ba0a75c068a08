"""Entries → detections → stories → outbox; then the poll is committed.

The order is what makes alerts survive a crash: a poll's entries are marked seen only
after every alert they produced is in the outbox. A crash before that re-polls the
same entries, and the story store's detection markers and the outbox's idempotent ids
keep the second pass from alerting twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.archive import EntryArchive
from bot.config.settings import FeedSpec
from bot.delivery.outbox import Outbox
from bot.feeds.fulltext import FullText
from bot.feeds.poll import Poller, PollResult
from bot.ops.metrics import Metrics
from bot.stories.store import StoryStore
from bot.times import Clock, utc_now
from bot.types import Alert, Entry
from detectors.engine import RuleSet
from detectors.types import Detection

log = logging.getLogger(__name__)

# Past this size (full-text articles) detection takes tens of ms: run it off the loop.
INLINE_DETECT_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class Handled:
    feed_id: str
    entries: int
    detections: int
    alerts: int


class Pipeline:
    def __init__(
        self,
        rules: Callable[[], RuleSet],
        poller: Poller,
        stories: StoryStore,
        outbox: Outbox,
        *,
        fulltext: FullText | None = None,
        metrics: Metrics | None = None,
        archive: EntryArchive | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._rules = rules
        self.poller = poller
        self.stories = stories
        self.outbox = outbox
        self.fulltext = fulltext
        self.metrics = metrics
        self.archive = archive
        self.clock = clock

    async def handle(self, feed: FeedSpec, result: PollResult) -> Handled:
        """Process a poll's new and edited entries, then commit the poll.

        Raises on a storage error: the poll is then not committed, so its entries are
        seen again on the next poll.
        """
        rules = self._rules()  # one rule set for the whole batch, even across a reload
        detections = alerts = 0
        read: list[Entry] = []  # as the detectors saw them, for the archive
        matched: list[tuple[Entry, tuple[Detection, ...]]] = []
        for entry in result.entries:
            if feed.fulltext and self.fulltext is not None:
                entry = await self.fulltext.enrich(entry)
            read.append(entry)
            if len(entry.title) + len(entry.text) > INLINE_DETECT_CHARS:
                found = await asyncio.to_thread(self.detect, rules, entry)
            else:
                found = self.detect(rules, entry)
            detections += len(found)
            if found:
                matched.append((entry, found))
            await asyncio.sleep(0)  # a big first poll must not hold the loop
        # Only entries that matched a rule are embedded, in one batch per poll.
        vectors = await self.stories.embed([e for e, _ in matched])
        for (entry, found), vector in zip(matched, vectors, strict=True):
            produced = await self.stories.ingest(entry, found, now=self.clock(), vector=vector)
            await self.publish(produced)
            alerts += len(produced)
        await self.poller.commit(result)
        if self.archive is not None:  # after the commit: it never holds up or loses an alert
            await self.archive.keep(read, now=self.clock())
        if self.metrics is not None and result.entries:
            self.metrics.entries.labels(feed=feed.id).inc(len(result.entries))
        return Handled(feed.id, len(result.entries), detections, alerts)

    def detect(self, rules: RuleSet, entry: Entry) -> tuple[Detection, ...]:
        try:
            found = rules.detect(entry.document())
        except Exception:  # a bug on one odd entry must not block its feed for ever
            log.exception("detectors failed on an entry; it is skipped",
                          extra={"feed": entry.feed_id, "entry": entry.key})
            return ()
        if self.metrics is not None:
            for detection in found:
                self.metrics.detections.labels(rule=detection.rule).inc()
        return found

    async def publish(self, alerts: list[Alert]) -> None:
        for alert in alerts:
            await self.outbox.publish(alert)
            log.info("alert queued", extra={"alert": alert.id, "kind": alert.kind.value,
                                            "rule": alert.rule, "story": alert.story_id})
            if self.metrics is not None:
                self.metrics.stories.labels(kind=alert.kind.value).inc()

    async def flush_edits(self) -> int:
        """Queue the coalesced "Also reported by" edits that are due."""
        due = await self.stories.due_edits(now=self.clock(), publish=self.publish)
        return len(due)
