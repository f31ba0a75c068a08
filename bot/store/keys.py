"""Every Redis key eventwatch uses is built here, under one versioned prefix."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PREFIX = "ew:v1"

@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str = DEFAULT_PREFIX

    def _k(self, *parts: object) -> str:
        return ":".join((self.prefix, *(str(p) for p in parts)))

    # -- feeds ----------------------------------------------------------
    def feed_state(self, feed_id: str) -> str:
        """Hash: etag, last_modified, body_hash, effective_url, health counters."""
        return self._k("feed", feed_id, "state")

    def feed_lease(self, feed_id: str, slot: int) -> str:
        return self._k("feed", feed_id, "lease", slot)

    def feed_entries_log(self, feed_id: str) -> str:
        """Sorted set of new-entry timestamps, for entries per day."""
        return self._k("feed", feed_id, "newlog")

    def seen_set(self, feed_id: str) -> str:
        """Hash: entry key → "content_hash hour" for one feed (the poller's seen set).

        One hash per feed costs far fewer bytes per entry than one string per entry
        (bench/poll.py measures both); old fields are pruned by the poller.
        """
        return self._k("seen", feed_id)

    def fulltext(self, url_hash: str) -> str:
        return self._k("fulltext", url_hash)

    # -- the recent-entries archive (backtests, the rule studio) ---------
    def archive_entries(self) -> str:
        """Hash: archive id → one entry as the detectors saw it (zlib-compressed JSON)."""
        return self._k("archive", "entries")

    def archive_index(self) -> str:
        """Sorted set: archive id → when the entry was polled (epoch seconds)."""
        return self._k("archive", "index")

    # -- detections and stories ----------------------------------------
    def detection(self, entry_id: str, rule: str) -> str:
        """Marker: this rule already alerted for this entry (exact dedup)."""
        return self._k("det", entry_id, rule)

    def detection_alerts(self, entry_id: str, rule: str) -> str:
        """JSON list: the alerts that (entry, rule) made, kept briefly for a crashed batch."""
        return self._k("detalerts", entry_id, rule)

    def story(self, story_id: str) -> str:
        return self._k("story", story_id)

    def story_claim(self, signature: str) -> str:
        return self._k("claim", signature)

    def story_band(self, band: int, value: str) -> str:
        return self._k("lsh", band, value)

    def story_event(self, rule: str, country: str) -> str:
        return self._k("event", rule, country)

    def stories_recent(self) -> str:
        return self._k("stories", "recent")

    def stories_edit_due(self) -> str:
        """Sorted set: story id → when its coalesced "Also reported by" edit may go out."""
        return self._k("stories", "editdue")

    # -- delivery -------------------------------------------------------
    def outbox(self) -> str:
        return self._k("outbox")

    def alert(self, alert_id: str) -> str:
        return self._k("alert", alert_id)

    def delivery(self, alert_id: str) -> str:
        """Hash: chat id → sent message id (or a final status) for one alert."""
        return self._k("delivery", alert_id)

    def story_messages(self, story_id: str) -> str:
        """Hash: chat id → message id of the story's first alert, for edits and replies."""
        return self._k("story", story_id, "messages")

    def digest(self, chat_id: int) -> str:
        return self._k("digest", chat_id)

    def digest_slot(self, chat_id: int, slot: str) -> str:
        """Marker (SET NX): this chat's digest for this period was claimed for sending."""
        return self._k("digest", chat_id, "slot", slot)

    def story_edits(self, story_id: str) -> str:
        """Hash: chat id → time of the last edit of the story's message (edit throttle)."""
        return self._k("story", story_id, "edits")

    def deferred_due(self) -> str:
        """Sorted set: chat id → when its deferred alerts may be sent again (M1)."""
        return self._k("deferred", "due")

    def deferred(self, chat: int | str) -> str:
        """Sorted set: alert id → its outbox position, the alerts a paused chat still owes."""
        return self._k("deferred", chat)

    def alerts_log(self) -> str:
        return self._k("alerts", "log")

    # -- subscribers ----------------------------------------------------
    def subscriber(self, chat_id: int) -> str:
        return self._k("sub", chat_id)

    def subscribers(self) -> str:
        """Set of active subscriber chat ids."""
        return self._k("subs")

    def pattern(self) -> str:
        """Glob matching every key under this prefix (for tests' cleanup)."""
        return f"{self.prefix}:*"
