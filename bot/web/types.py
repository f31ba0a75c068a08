"""What the pages read from the running app: small callables and stores, wired by the
composition root (so the pages follow a reload, and tests can wire their own)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.archive import EntryArchive
from bot.config.loader import Config
from bot.delivery.outbox import Outbox
from bot.feeds.health import FeedHealth
from bot.stories.store import StoryStore


@dataclass(frozen=True, slots=True)
class WebServices:
    token: str  # EVENTWATCH_WEB_TOKEN; never empty (the pages are off without it)
    config: Callable[[], Config]  # the config in force
    archive: EntryArchive
    stories: StoryStore
    outbox: Outbox
    feed_health: Callable[[], Awaitable[Sequence[FeedHealth]]]
