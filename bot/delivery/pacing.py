"""Pacing: when a chat may get its next message, within Telegram's limits.

The bot paces every send itself (PTB's AIORateLimiter pauses *every* chat on a 429 and
has no per-private-chat limit): an overall leaky bucket (aiolimiter) plus a next-send
time per chat. A 429 pauses only that chat; other chats keep flowing. Every way out to
Telegram shares one `Pacer`, so the limits hold across the outbox, deferred chats and
digests. The limits are read through an accessor, so a reload retunes the pacer.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator

from aiolimiter import AsyncLimiter

from bot.config.settings import RateLimits


class Pacer:
    """Telegram's limits, applied before each send: overall, per private chat, per group."""

    def __init__(self, limits: Callable[[], RateLimits]) -> None:
        self._limits = limits
        self._next: dict[str, float] = {}
        self._tuned: RateLimits | None = None
        self._overall = AsyncLimiter(1, 1)
        self._private = self._group = 1.0

    def _tune(self) -> None:
        """Follow the limits in force (after a reload the chats' next free slots are kept).

        Small buckets (a tenth of a second's worth) keep bursts short, so a server that
        measures per second never sees more than the limit."""
        limits = self._limits()
        if limits == self._tuned:
            return
        self._tuned = limits
        per_tick = max(1.0, limits.overall / 10)
        self._overall = AsyncLimiter(per_tick, per_tick / limits.overall)
        self._private = 1.0 / limits.private
        self._group = 60.0 / limits.group

    @property
    def overall(self) -> AsyncLimiter:
        self._tune()
        return self._overall

    def interval(self, is_group: bool) -> float:
        self._tune()
        return self._group if is_group else self._private

    def reserve(self, chat: str, is_group: bool) -> float:
        """Take the chat's next slot: 0 when taken, else the seconds until it is free."""
        now = time.monotonic()
        at = self._next.get(chat, 0.0)
        if at > now:
            return at - now
        self._next[chat] = now + self.interval(is_group)
        if len(self._next) > 50_000:  # forget chats that are long free again
            self._next = {c: t for c, t in self._next.items() if t > now}
        return 0.0

    def sent(self, chat: str, is_group: bool) -> None:
        """Restart the chat's interval now (no earlier slot is ever given back)."""
        self._next[chat] = max(self._next.get(chat, 0.0),
                               time.monotonic() + self.interval(is_group))

    @contextlib.contextmanager
    def sending(self, chat: str, is_group: bool) -> Iterator[None]:
        """Around one request: the interval counts from its start and again from its end.

        Telegram counts from when the request reaches it, somewhere in between; counting
        from the end too means network jitter can never make two sends look closer."""
        self.sent(chat, is_group)
        try:
            yield
        finally:
            self.sent(chat, is_group)

    async def wait_turn(self, chat: str, is_group: bool) -> None:
        """Wait for the chat's next slot, then for the overall limit."""
        while True:
            wait = self.reserve(chat, is_group)
            if wait <= 0:
                break
            await asyncio.sleep(wait)  # the slot is a time, not an event: nothing to wait on
        await self.overall.acquire()

    def pause(self, chat: str, seconds: float) -> None:
        self._next[chat] = max(self._next.get(chat, 0.0), time.monotonic() + seconds)
