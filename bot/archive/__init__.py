"""The recent-entries archive: every polled entry as the detectors saw it, for replays."""

from bot.archive.store import EntryArchive
from bot.archive.types import ArchivedEntry

__all__ = ["ArchivedEntry", "EntryArchive"]
