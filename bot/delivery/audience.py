"""The audience: which chats get an alert now, and which only get it recorded.

Subscribers whose filters match the alert get it at once if they are in instant mode
and outside their quiet hours; an hourly or daily subscriber, or one in quiet hours,
gets it added to the digest ("digest", "held"), and a muted one gets it recorded as
"muted"; a reclaimed alert skips every chat so recorded. Configured channels get every
alert. A SOURCES alert (a silent edit) goes only to instant chats, even in quiet hours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.delivery.digest import DigestStore
from bot.delivery.jobs import Target
from bot.delivery.outbox import Outbox
from bot.delivery.subscribers import Subscriber, SubscriberStore
from bot.types import Alert, AlertKind


def _subscriber(sub: Subscriber) -> Target:
    return Target(sub.chat_id, sub.language, sub.thread_id, sub.is_group,
                  breaking_only=sub.breaking_only, rules=sub.rules)


def _channel(channel: int | str) -> Target:
    return Target(channel, "en", None, True, subscriber=False)


class Audience:
    """Who gets an alert now; `channels` reads the configured channels (they may reload)."""

    def __init__(self, subscribers: SubscriberStore, digests: DigestStore, outbox: Outbox,
                 channels: Callable[[], Sequence[int | str]]) -> None:
        self.subscribers = subscribers
        self.digests = digests
        self.outbox = outbox
        self.channels = channels

    async def targets(self, alert: Alert, done: dict[str, str], now: datetime) -> list[Target]:
        """The chats still due to get `alert` now; digest, held and muted chats are recorded."""
        out: list[Target] = []
        records: dict[str, str] = {}
        for sub in await self.subscribers.matching(alert):
            key = str(sub.chat_id)
            if key in done:
                continue
            target = _subscriber(sub)
            if alert.kind is AlertKind.SOURCES:
                if sub.mode == "instant":  # an edit is silent: it may happen in quiet hours
                    out.append(target)
                continue
            if sub.is_muted(now):
                records[key] = "muted"
            elif sub.mode != "instant":
                await self.digests.add(sub.chat_id, alert, now)
                records[key] = "digest"
            elif sub.quiet_until(now) is not None:
                await self.digests.add(sub.chat_id, alert, now)  # sent when quiet hours end
                records[key] = "held"
            else:
                out.append(target)
        await self.outbox.record_deliveries(alert.id, records)
        for channel in self.channels():
            if str(channel) not in done:
                out.append(_channel(channel))
        return out

    async def target(self, chat: str) -> Target | None:
        """The chat as a target today (a deferred chat's); None if it no longer gets alerts."""
        for channel in self.channels():
            if str(channel) == chat:
                return _channel(channel)
        try:
            sub = await self.subscribers.get(int(chat))
        except ValueError:
            return None
        if sub is None or not sub.active:
            return None
        return _subscriber(sub)
