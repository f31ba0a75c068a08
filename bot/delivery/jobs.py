"""The fan-out's values: a chat to deliver to, one (alert, chat) job, a retry, one fan-out.

A `Job` is one alert for one chat, with what its earlier tries learned (fall back to
plain text, don't reply, the edit is already claimed) and its outbox position, which is
the chat's delivery order. A try that must be repeated returns a `Retry`; a `Fanout`
holds one alert's jobs, counts the chats still to do, and requeues a job after its delay.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.delivery.render import Rendered
from bot.times import MONOTONIC, Ticker
from bot.types import Alert


@dataclass(frozen=True, slots=True)
class Target:
    """A chat that gets an alert: a subscriber's chat or a configured channel."""

    chat: int | str
    language: str = "en"
    thread_id: int | None = None
    is_group: bool = False
    subscriber: bool = True
    breaking_only: bool = False
    rules: frozenset[str] | None = None  # the event types it follows (None: every one)

    @property
    def key(self) -> str:
        return str(self.chat)


@dataclass(slots=True)
class Job:
    alert: Alert
    target: Target
    rendered: Rendered
    attempt: int = 0
    plain: bool = False
    edit_claimed: bool = False
    reply: bool = True
    seq: tuple[int, int] = (0, 0)  # the alert's outbox entry id: the chat's delivery order


@dataclass(frozen=True, slots=True)
class Retry:
    """Try `job` again after `delay` seconds."""

    job: Job
    delay: float


@dataclass(slots=True)
class Fanout:
    ticker: Ticker = MONOTONIC  # what `later` waits on: virtual in tests
    queue: asyncio.Queue[Job] = field(default_factory=asyncio.Queue)
    remaining: int = 0
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    timers: set[asyncio.Task[None]] = field(default_factory=set)

    def done(self) -> None:
        self.remaining -= 1
        if self.remaining <= 0:
            self.finished.set()

    def later(self, job: Job, delay: float) -> None:
        if delay <= 0:
            self.queue.put_nowait(job)
            return

        async def fire() -> None:
            await self.ticker.sleep(delay)
            self.queue.put_nowait(job)

        timer = asyncio.create_task(fire())
        self.timers.add(timer)
        timer.add_done_callback(self.timers.discard)
