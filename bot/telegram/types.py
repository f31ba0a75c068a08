"""What the Telegram handlers receive from the rest of the app (filled by the composition root).

`BotServices` lives here, beside the values it hands out, so that the handlers and the
Application builder (`app.py`) both import it from below and never from each other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from telegram.ext import ContextTypes

from bot.delivery.subscribers import SubscriberStore

Context = ContextTypes.DEFAULT_TYPE


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """One watch rule as a subscriber sees it: its id and a title per language."""

    id: str
    titles: Mapping[str, str] = field(default_factory=dict)  # language → title

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles.get("en") or self.id


@dataclass(frozen=True, slots=True)
class StorySummary:
    """One recent story for /latest."""

    story_id: str
    title: str
    url: str | None
    rule: str
    countries: tuple[str, ...]
    updated: datetime  # timezone-aware UTC
    outlets: int = 1
    breaking: bool = False


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Health summary for the admin /status command."""

    feeds_total: int
    feeds_ok: int
    failing: tuple[str, ...]  # feed ids failing now but not yet dead
    dead: tuple[str, ...]  # feed ids past poll.dead_after consecutive failures
    outbox_depth: int  # alerts not yet fully delivered (queued + being sent)
    alerts_24h: int
    last_poll: datetime | None = None
    outbox_pending: int | None = None  # of those, claimed by a sender (when known)


@dataclass(frozen=True, slots=True)
class BotServices:
    """What the handlers need; callables, because a reload swaps the values behind them."""

    subscribers: SubscriberStore
    rules: Callable[[], Sequence[RuleInfo]]
    watch: Callable[[], tuple[str, ...]]  # ISO 3166-1 alpha-2 codes
    admins: Callable[[], frozenset[int]]  # Telegram user ids (telegram.admins)
    status: Callable[[], Awaitable[StatusReport]]
    reload: Callable[[], Awaitable[list[str]]]  # error lines; empty means reloaded
    latest: Callable[[int], Awaitable[Sequence[StorySummary]]]
