"""Delivery order: each chat gets its alerts in the order they entered the outbox.

An alert's place is its stream entry id ("1700000000000-3"), kept as a sortable pair
(`entry_seq`) or as one number (`position`, a deferred alert's score in Redis).
`ChatOrder` holds back a chat's younger jobs while an older one is still retrying, so
that jittered retries after an outage never reshuffle what a chat reads.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable


def position(seq: tuple[int, int]) -> float:
    """An outbox position as one sortable number (a deferred alert's score)."""
    return seq[0] * 1000.0 + seq[1]


def entry_seq(entry_id: str) -> tuple[int, int]:
    """A stream entry id ("1700000000000-3") as a sortable pair."""
    ms, _, n = entry_id.partition("-")
    try:
        return int(ms), int(n or 0)
    except ValueError:
        return 0, 0


class ChatOrder:
    """Each chat gets its alerts in outbox order, even when retries reshuffle the jobs
    (after an outage every job retries on its own jittered timer). A job that is not its
    chat's oldest waits, parked, until the older ones are done; then it is woken."""

    def __init__(self) -> None:
        self._waiting: dict[str, list[tuple[int, int]]] = {}  # chat → seqs, sorted
        self._parked: dict[tuple[str, tuple[int, int]], Callable[[], None]] = {}

    def enter(self, chat: str, seq: tuple[int, int]) -> None:
        queue = self._waiting.setdefault(chat, [])
        if seq not in queue:
            bisect.insort(queue, seq)

    def ready(self, chat: str, seq: tuple[int, int], wake: Callable[[], None]) -> bool:
        """True when the job may send now; else `wake()` is called when it may."""
        queue = self._waiting.get(chat)
        if not queue or queue[0] == seq or seq not in queue:
            return True
        self._parked[(chat, seq)] = wake
        return False

    def leave(self, chat: str, seq: tuple[int, int]) -> None:
        self._parked.pop((chat, seq), None)
        queue = self._waiting.get(chat)
        if queue is None or seq not in queue:
            return
        queue.remove(seq)
        if not queue:
            del self._waiting[chat]
            return
        wake = self._parked.pop((chat, queue[0]), None)
        if wake is not None:
            wake()
