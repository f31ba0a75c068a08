"""What the archive holds: one polled entry and when it was polled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.types import Entry


@dataclass(frozen=True, slots=True)
class ArchivedEntry:
    """`entry` is the text the detectors saw (after full-text enrichment); `id` is the
    entry's identity across polls and edits (the stories' entry id: feed + key)."""

    id: str
    entry: Entry
    seen: datetime  # when it was polled (new or edited), UTC
