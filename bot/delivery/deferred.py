"""Deferred chats: a chat that must wait long is parked in Redis, so the others keep flowing.

A chat that must wait long (a long 429, or network errors that keep coming) is
deferred: its (alert, chat) pairs go to a sorted set in Redis, the alert is finished for
the other chats and acknowledged, and a loop sends the chat's deferred alerts, in outbox
order, once its pause is over. Until then its newer alerts queue there too. A parked
chat's alerts thus don't hold the in-flight slots every other chat needs, and nothing
of it is lost if the process stops: any sender resumes it when it is due.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.delivery.audience import Audience
from bot.delivery.jobs import Job, Retry, Target
from bot.delivery.order import position
from bot.delivery.outbox import Outbox
from bot.delivery.pacing import Pacer
from bot.delivery.render import Rendered
from bot.types import Alert

log = logging.getLogger(__name__)


class DeferredChats:
    """Parks chats that must wait long, and sends their alerts, in order, when they are due.

    `send` makes one try of a job (the sender's); `stopping` is set when the sender stops.
    """

    def __init__(self, outbox: Outbox, audience: Audience, pacer: Pacer, *,
                 send: Callable[[Job], Awaitable[Retry | None]],
                 render: Callable[[Alert, Target], Rendered], stopping: asyncio.Event,
                 clock: Callable[[], datetime], lease: float, defer_after: float,
                 resume_every: float) -> None:
        self.outbox = outbox
        self.audience = audience
        self.pacer = pacer
        self._send = send
        self._render = render
        self._stopping = stopping
        self.clock = clock
        self.lease = lease
        # A chat that must wait longer than `defer_after` s is parked in Redis, so its
        # alerts don't hold the `max_in_flight` slots every other chat needs: a long 429, or
        # a chat that keeps failing (the backoff passes 30 s after ~7 network errors in a
        # row; a short outage of the whole API still just retries, the alerts stay pending).
        # Due chats are resumed every `resume_every` s.
        self.defer_after = defer_after
        self.resume_every = resume_every
        self._parked: set[str] = set()  # chats this sender parked, until they catch up

    def too_slow(self, retry: Retry) -> bool:
        return retry.delay > self.defer_after

    def holds(self, chat: str) -> bool:
        """True when this sender parked the chat and it has not caught up yet."""
        return chat in self._parked

    async def hold_back(self, targets: list[Target], alert_id: str,
                        seq: tuple[int, int]) -> list[Target]:
        """The targets free to get the alert now; the others queue it behind their older
        deferred alerts."""
        behind = await self.outbox.deferred_chats([t.key for t in targets])
        for t in targets:
            if t.key in behind:  # the chat has older deferred alerts: keep its order
                await self.queue_behind(t.chat, alert_id, seq)
        return [t for t in targets if t.key not in behind]

    async def queue_behind(self, chat: int | str, alert_id: str, seq: tuple[int, int]) -> None:
        """Queue the alert behind the chat's deferred ones: it goes when they do."""
        await self.outbox.defer(chat, alert_id, position(seq), None)

    async def park(self, job: Job, delay: float) -> None:
        """Defer the job's chat for `delay` s, with the job as its (next) deferred alert."""
        self._parked.add(job.target.key)
        # Written before the alert can be acknowledged: the chat's copy is never lost.
        await self.outbox.defer(job.target.chat, job.alert.id, position(job.seq),
                                self.clock() + timedelta(seconds=delay))
        log.warning("chat deferred: its alerts wait in Redis, other chats go on",
                    extra={"chat": job.target.chat, "alert": job.alert.id,
                           "delay": round(delay, 2)})

    async def run(self) -> None:
        """Resume due chats every `resume_every` s until the sender stops."""
        while not self._stopping.is_set():
            try:
                await self.resume_due()
            except Exception:  # Redis hiccup: the chats stay due; try again next round
                log.exception("resuming deferred chats failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.resume_every)

    async def resume_due(self) -> int:
        """Send the deferred alerts of every chat now due, in order; the chats resumed."""
        chats = await self.outbox.claim_due_chats(self.clock(), lease=self.lease)
        if chats:
            await asyncio.gather(*(self._resume_chat(c) for c in chats))
        return len(chats)

    async def _resume_chat(self, chat: str) -> None:
        target = await self.audience.target(chat)
        while not self._stopping.is_set():
            pending = await self.outbox.deferred_alerts(chat)
            if not pending:
                if await self.outbox.resume_done(chat):
                    self._parked.discard(chat)
                    log.info("deferred chat caught up", extra={"chat": chat})
                    return
                continue  # a new alert was deferred meanwhile
            for alert_id, _ in pending:
                if self._stopping.is_set():
                    return  # still claimed; due again after the lease
                alert = await self.outbox.get_alert(alert_id)
                if (target is None or alert is None
                        or chat in await self.outbox.deliveries(alert_id)):
                    await self.outbox.undefer(chat, alert_id)  # gone, unsubscribed or done
                    continue
                job = Job(alert, target, self._render(alert, target))
                delay = await self._resume_one(job)
                if delay is not None:  # still paused: try the chat again later, in order
                    await self.outbox.reschedule(chat, self.clock() + timedelta(seconds=delay))
                    return
                await self.outbox.undefer(chat, alert_id)

    async def _resume_one(self, job: Job) -> float | None:
        """Send one deferred job, retrying short waits in place; the long wait, if any."""
        while not self._stopping.is_set():
            await self.pacer.wait_turn(job.target.key, job.target.is_group)
            if self._stopping.is_set():
                break
            with self.pacer.sending(job.target.key, job.target.is_group):
                outcome = await asyncio.shield(self._send(job))
            if outcome is None:
                return None
            if self.too_slow(outcome):
                return outcome.delay
            await self.pacer.ticker.sleep(outcome.delay)
            job = outcome.job
        return 0.0
