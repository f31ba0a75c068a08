"""Pacing: when a chat may get its next message, within Telegram's limits, for all traffic.

One `Pacer` serves every way out to Telegram: command replies and button answers (through
`limiter.PacedLimiter`), admin notices, digests, alerts and broadcasts. So the overall
limit (30/s), the per-chat one (1/s in a private chat) and the group one (20/min) hold
for the sum of what the bot sends. Waiting for the overall limit is by `Lane`: a reply
waiting beside a broadcast goes first, so a user is answered even mid-broadcast.

PTB's AIORateLimiter pauses *every* chat on a 429 and has no per-private-chat limit; here a
429 pauses only that chat (`pause`). Time comes from a `Ticker`, so tests run on virtual
time. The limits are read through an accessor, so a reload retunes the pacer.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import Callable, Iterator
from enum import IntEnum

from bot.config.settings import RateLimits
from bot.times import MONOTONIC, Ticker

EPSILON = 1e-9
FORGET_AFTER = 50_000  # chats remembered before the long-free ones are forgotten


class Lane(IntEnum):
    """Who goes first when several wait for the overall limit (lower first)."""

    REPLY = 0  # answers to a user: commands, buttons
    NOTICE = 1  # admin notices, digests
    BROADCAST = 2  # alerts to every subscriber


class _Gate:
    """The overall limit: a token bucket whose waiters are served by lane, then in order.

    Small buckets (a tenth of a second's worth) keep bursts short, so a server that
    measures per second never sees more than the limit."""

    def __init__(self, ticker: Ticker) -> None:
        self.ticker = ticker
        self.rate = 1.0
        self.burst = 1.0
        self.tokens = 1.0
        self.at = ticker.now()
        self.closed_until = 0.0  # a 429 for the whole bot
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._pump: asyncio.Task[None] | None = None

    def tune(self, rate: float) -> None:
        self._refill()
        self.rate, self.burst = rate, max(1.0, rate / 10)
        self.tokens = min(self.tokens, self.burst)

    def _refill(self) -> None:
        now = self.ticker.now()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def _wait(self) -> float:
        """0 when a token was taken, else the seconds until one may be."""
        now = self.ticker.now()
        if now < self.closed_until:
            return self.closed_until - now
        self._refill()
        if self.tokens >= 1 - EPSILON:  # a wait of (1 - tokens)/rate can fall short by a hair
            self.tokens = max(0.0, self.tokens - 1)
            return 0.0
        return (1 - self.tokens) / self.rate

    async def acquire(self, lane: Lane) -> None:
        if not self._waiting and self._wait() == 0:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (int(lane), next(self._order), future))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._serve(), name="pacer")
        await future

    async def _serve(self) -> None:
        while self._waiting:
            if self._waiting[0][2].done():  # its waiter was cancelled
                heapq.heappop(self._waiting)
                continue
            wait = self._wait()
            if wait > 0:
                await self.ticker.sleep(wait)
                continue
            while self._waiting:
                _, _, future = heapq.heappop(self._waiting)
                if not future.done():
                    future.set_result(None)
                    break
            else:
                self.tokens += 1  # nobody left to take it


class Pacer:
    """Telegram's limits, applied before each send: overall (by lane), per chat, per group."""

    def __init__(self, limits: Callable[[], RateLimits], ticker: Ticker = MONOTONIC) -> None:
        self._limits = limits
        self.ticker = ticker
        self._next: dict[str, float] = {}
        self._tuned: RateLimits | None = None
        self._gate = _Gate(ticker)
        self._private = self._group = 1.0

    def _tune(self) -> None:
        """Follow the limits in force (after a reload the chats' next free slots are kept)."""
        limits = self._limits()
        if limits == self._tuned:
            return
        self._tuned = limits
        self._gate.tune(limits.overall)
        self._private = 1.0 / limits.private
        self._group = 60.0 / limits.group

    def interval(self, is_group: bool) -> float:
        self._tune()
        return self._group if is_group else self._private

    def reserve(self, chat: str, is_group: bool) -> float:
        """Take the chat's next slot: 0 when taken, else the seconds until it is free."""
        now = self.ticker.now()
        at = self._next.get(chat, 0.0)
        if at > now:
            return at - now
        self._next[chat] = now + self.interval(is_group)
        if len(self._next) > FORGET_AFTER:  # forget chats that are long free again
            self._next = {c: t for c, t in self._next.items() if t > now}
        return 0.0

    def sent(self, chat: str, is_group: bool) -> None:
        """Restart the chat's interval now (no earlier slot is ever given back)."""
        self._next[chat] = max(self._next.get(chat, 0.0),
                               self.ticker.now() + self.interval(is_group))

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

    async def overall_turn(self, lane: Lane) -> None:
        """Wait for the overall limit; a waiting reply goes before a waiting broadcast."""
        self._tune()
        await self._gate.acquire(lane)

    async def wait_turn(self, chat: str | None, is_group: bool,
                        lane: Lane = Lane.BROADCAST) -> None:
        """Wait for the chat's next slot (none for a request without a chat), then for the
        overall limit."""
        while chat is not None:
            wait = self.reserve(chat, is_group)
            if wait <= 0:
                break
            await self.ticker.sleep(wait)  # the slot is a time, not an event
        await self.overall_turn(lane)

    def pause(self, chat: str | None, seconds: float) -> None:
        """A 429: that chat waits `seconds` (no chat: the whole bot does)."""
        until = self.ticker.now() + seconds
        if chat is None:
            self._gate.closed_until = max(self._gate.closed_until, until)
            return
        self._next[chat] = max(self._next.get(chat, 0.0), until)
