"""Deliver the outbox to Telegram: fan each alert out to its chats, within the limits, exactly once.

The sender reads alerts from the outbox's consumer group (`OutboxConsumer`), asks the
`Audience` which chats want each one, and sends it with the real `telegram.Bot`, one job
per chat, paced by the `Pacer` and kept in each chat's outbox order by `ChatOrder`. A 429
pauses only that chat, and its message is requeued; other chats keep flowing. A chat that
must wait long is handed to `DeferredChats`. Telegram's errors are classified by
`policy.decide`, the one policy every way out to Telegram follows.

Each (alert, chat) is recorded in the outbox's delivery hash as soon as Telegram
accepts the message, and an alert is acknowledged only when every chat is done.
A crashed sender's alerts are reclaimed (XAUTOCLAIM) and go only to the chats
without a record. Digests and admin notices go out through `send_rendered`, one message
at a time, with the same policy; a chat that must wait long gives up its turn (its digest
waits for the next round) rather than stall the others.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from telegram import LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.config.settings import StorySettings, TelegramSettings
from bot.delivery.audience import Audience
from bot.delivery.consumer import OutboxConsumer
from bot.delivery.deferred import DeferredChats
from bot.delivery.digest import DigestStore
from bot.delivery.jobs import Fanout, Job, Retry, Target
from bot.delivery.order import ChatOrder, entry_seq
from bot.delivery.outbox import Outbox, OutboxEntry
from bot.delivery.pacing import Lane, Pacer
from bot.delivery.policy import Action, Do, decide, retry_delay
from bot.delivery.render import Rendered, RuleTitle, render_for
from bot.delivery.subscribers import SubscriberStore
from bot.ops.metrics import Metrics
from bot.times import MONOTONIC, Clock, Ticker, utc_now
from bot.types import Alert, AlertKind

if TYPE_CHECKING:
    from telegram import Bot

log = logging.getLogger(__name__)


class Sender(OutboxConsumer):
    """Sends alerts to Telegram subscribers and channels through a real `telegram.Bot`."""

    def __init__(
        self, outbox: Outbox, bot: Bot, subscribers: SubscriberStore, *,
        telegram: Callable[[], TelegramSettings] = TelegramSettings,
        stories: Callable[[], StorySettings] = StorySettings,
        digests: DigestStore | None = None, rule_title: RuleTitle | None = None,
        consumer: str | None = None, claim_idle: float = 60.0, max_in_flight: int = 8,
        concurrency: int = 16, backoff: float = 0.5, max_backoff: float = 60.0,
        max_attempts: int = 8, clock: Clock = utc_now, metrics: Metrics | None = None,
        defer_after: float = 30.0, resume_every: float = 1.0,
        pacer: Pacer | None = None, ticker: Ticker = MONOTONIC,
    ) -> None:
        super().__init__(outbox, consumer=consumer, claim_idle=claim_idle,
                         max_in_flight=max_in_flight, clock=clock, metrics=metrics)
        self.bot = bot
        self.subscribers = subscribers
        self._telegram = telegram
        self._stories = stories
        self.digests = digests or DigestStore(outbox)
        self.rule_title = rule_title
        # Shared with the bot's replies (PacedLimiter), so the limits hold for all traffic.
        self.pacer = pacer or Pacer(lambda: self.telegram.rate_limits, ticker)
        self.ticker = self.pacer.ticker
        self.order = ChatOrder()
        self.concurrency = concurrency
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_attempts = max_attempts
        self.audience = Audience(subscribers, self.digests, outbox,
                                 lambda: self.telegram.channels)
        self.deferred = DeferredChats(
            outbox, self.audience, self.pacer, send=self._send, render=self.render,
            stopping=self.stop_requested, clock=clock, lease=claim_idle,
            defer_after=defer_after, resume_every=resume_every)

    @property
    def telegram(self) -> TelegramSettings:
        """The settings in force: read through the accessor, so a reload applies at once."""
        return self._telegram()

    @property
    def stories(self) -> StorySettings:
        return self._stories()

    def render(self, alert: Alert, target: Target) -> Rendered:
        return render_for(alert, target.language, self.rule_title, target.rules)

    # -- one alert -----------------------------------------------------------------------
    async def handle(self, entry: OutboxEntry) -> bool:
        alert = entry.alert
        assert alert is not None
        done = await self.outbox.deliveries(alert.id)
        targets = await self.audience.targets(alert, done, self.clock())
        if not targets:
            return True
        seq = entry_seq(entry.entry_id)
        targets = await self.deferred.hold_back(targets, alert.id, seq)
        if not targets:
            return True
        # One rendering per language and followed event types, shared by the chats.
        rendered: dict[tuple[str, frozenset[str] | None], Rendered] = {}
        jobs = []
        for t in targets:
            shown = (t.language, None if t.rules is None else t.rules & set(alert.rules))
            if shown not in rendered:
                rendered[shown] = self.render(alert, t)
            jobs.append(Job(alert, t, rendered[shown], seq=seq))
            self.order.enter(t.key, jobs[-1].seq)
        log.info("delivering alert", extra={"alert": alert.id, "kind": alert.kind.value,
                                            "chats": len(jobs)})
        return await self._fanout(jobs)

    async def _fanout(self, jobs: list[Job]) -> bool:
        fan = Fanout(ticker=self.ticker, remaining=len(jobs))
        for job in jobs:
            fan.queue.put_nowait(job)
        workers = [asyncio.create_task(self._worker(fan))
                   for _ in range(min(self.concurrency, len(jobs)))]
        stop = asyncio.create_task(self.stop_requested.wait())
        finished = asyncio.create_task(fan.finished.wait())
        try:
            await asyncio.wait([stop, finished], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for timer in list(fan.timers):
                timer.cancel()
            stop.cancel()
            finished.cancel()
            # Workers finish the send they are in (never cut a request mid-way), then stop.
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            for job in jobs:  # done, or stopped: either way younger alerts may go now
                self.order.leave(job.target.key, job.seq)
        return fan.remaining <= 0

    async def _worker(self, fan: Fanout) -> None:
        while True:
            job = await fan.queue.get()
            if self.stopping:
                return
            if not self.order.ready(job.target.key, job.seq,
                                    functools.partial(fan.later, job, 0)):
                continue
            wait = self.pacer.reserve(job.target.key, job.target.is_group)
            if wait > 0:
                fan.later(job, wait)
                continue
            await self.pacer.overall_turn(Lane.BROADCAST)
            if self.stopping:
                return
            # A cancellation (stop) must not cut a send in half: shield the attempt.
            attempt = asyncio.ensure_future(self._attempt(job, fan))
            try:
                await asyncio.shield(attempt)
            except asyncio.CancelledError:
                await attempt
                raise

    async def _attempt(self, job: Job, fan: Fanout) -> None:
        if self.deferred.holds(job.target.key):  # an older alert was parked: queue behind it
            await self.deferred.queue_behind(job.target.chat, job.alert.id, job.seq)
            self.order.leave(job.target.key, job.seq)
            fan.done()
            return
        with self.pacer.sending(job.target.key, job.target.is_group):
            outcome = await self._send(job)
        if outcome is not None and self.deferred.too_slow(outcome):
            await self.deferred.park(job, outcome.delay)
            outcome = None
        if outcome is None:
            self.order.leave(job.target.key, job.seq)
            fan.done()
        else:  # retry this job (or its successor) later; never dropped
            fan.later(outcome.job, outcome.delay)

    # -- one send ------------------------------------------------------------------------
    async def _send(self, job: Job) -> Retry | None:
        """One try; None when the chat is done, else what to retry and when."""
        alert, target = job.alert, job.target
        try:
            value = await self._call(job)
        except TelegramError as exc:
            return await self._refused(job, decide(exc))
        if value is not None:
            await self.outbox.record_delivery(alert.id, target.chat, value)
            if isinstance(value, int):  # a message id: Telegram took it (not a skip status)
                self.count_sent("telegram", alert)
        return None

    async def _refused(self, job: Job, action: Action) -> Retry | None:
        """What to do about one failed try, as `policy.decide` says."""
        alert, target = job.alert, job.target
        match action.do:
            case Do.WAIT:
                seconds = self._pause(target.key, action)
                log.warning("429 from Telegram: chat paused, message requeued", extra={
                    "chat": target.chat, "retry_after": seconds, "alert": alert.id})
                return Retry(job, seconds)
            case Do.UNSUBSCRIBE:
                log.info("chat refuses the bot: deactivated",
                         extra={"chat": target.chat, "reason": action.message})
                await self.outbox.record_delivery(alert.id, target.chat, "forbidden")
                if target.subscriber and isinstance(target.chat, int):
                    await self.subscribers.deactivate(target.chat, action.message)
                else:
                    log.error("configured channel refuses the bot: check telegram.channels",
                              extra={"chat": target.chat, "error": action.message})
                return None
            case Do.MIGRATE:
                new_id = action.new_chat
                log.info("group migrated to a supergroup", extra={"chat": target.chat,
                                                                  "new_chat": new_id})
                await self.outbox.record_delivery(alert.id, target.chat, f"migrated:{new_id}")
                if target.subscriber and isinstance(target.chat, int):
                    await self.subscribers.migrate(target.chat, new_id)
                else:
                    log.error("configured channel moved: update telegram.channels",
                              extra={"chat": target.chat, "new_chat": new_id})
                if str(new_id) in await self.outbox.deliveries(alert.id):
                    return None
                moved = replace(job, target=replace(target, chat=new_id), attempt=0)
                return Retry(moved, 0.0)
            case Do.RETRY | Do.GIVE_UP_LATER:
                return await self._failed(job, action)
            case Do.PLAIN if not job.plain:
                log.error("TELEGRAM REJECTED OUR HTML (or its length): falling back to plain "
                          "text for this message", extra={"chat": target.chat, "alert": alert.id,
                                                          "error": action.message})
                return Retry(replace(job, plain=True), 0.0)
            case Do.DONE:
                mid = await self.outbox.story_message(alert.story_id, target.chat)
                await self.outbox.record_delivery(alert.id, target.chat, mid or "unchanged")
                return None
            case Do.NO_REPLY:
                return Retry(replace(job, reply=False), 0.0)
            case Do.NOTHING_TO_EDIT:
                await self.outbox.record_delivery(alert.id, target.chat, "edit-gone")
                return None
        log.error("Telegram refused the message", extra={
            "chat": target.chat, "alert": alert.id, "error": action.message})
        await self.outbox.record_delivery(alert.id, target.chat,
                                          f"failed: {action.message}"[:200])
        return None

    def _pause(self, chat: str, action: Action) -> float:
        """A 429: pause that chat (only), for at most `max_retry_after`; the seconds."""
        seconds = min(action.delay, self.telegram.max_retry_after)
        self.pacer.pause(chat, seconds)
        if self.metrics is not None:
            self.metrics.telegram_429.inc()
        return seconds

    async def _failed(self, job: Job, action: Action) -> Retry | None:
        attempt = job.attempt + 1
        if action.do is not Do.RETRY and attempt >= self.max_attempts:
            log.error("delivery failed for good", extra={
                "chat": job.target.chat, "alert": job.alert.id, "error": action.message})
            await self.outbox.record_delivery(job.alert.id, job.target.chat,
                                              f"failed: {action.message}"[:200])
            return None
        delay = retry_delay(attempt, self.backoff, self.max_backoff)
        log.warning("send failed, retrying", extra={
            "chat": job.target.chat, "alert": job.alert.id, "attempt": attempt,
            "delay": round(delay, 2), "error": action.message})
        return Retry(replace(job, attempt=attempt), delay)

    async def _call(self, job: Job) -> int | str | None:
        """Send (or edit) once; returns what to record for the chat."""
        alert, target = job.alert, job.target
        text = job.rendered.text if job.plain else job.rendered.html
        mode = None if job.plain else ParseMode.HTML
        # The rendered message's own link: only ever a safe http(s) URL.
        preview = (LinkPreviewOptions(url=job.rendered.preview_url)
                   if self.telegram.link_preview and job.rendered.preview_url
                   else LinkPreviewOptions(is_disabled=True))
        first_breaking = False
        if alert.kind is AlertKind.SOURCES:
            mid = await self.outbox.story_message(alert.story_id, target.chat)
            # A breaking-only chat first hears of a story when it turns breaking: send it.
            first_breaking = mid is None and alert.breaking and target.breaking_only
        if alert.kind is AlertKind.SOURCES and not first_breaking:
            if mid is None:
                return "no-original"  # the chat never got the story: nothing to edit
            if not job.edit_claimed:
                # The stories engine spaces SOURCES alerts; this guards against a doubled
                # one, with slack for the time they spent in the queue.
                if not await self.outbox.claim_edit(alert.story_id, target.chat, self.clock(),
                                                    self.stories.edit_interval / 2):
                    return "edit-throttled"
                job.edit_claimed = True
            await self.bot.edit_message_text(text, chat_id=target.chat, message_id=mid,
                                             parse_mode=mode, link_preview_options=preview)
            return mid
        reply = None
        if alert.kind is AlertKind.UPDATE and job.reply:
            mid = await self.outbox.story_message(alert.story_id, target.chat)
            if mid is not None:
                reply = ReplyParameters(message_id=mid, allow_sending_without_reply=True)
        msg: Message = await self.bot.send_message(
            target.chat, text, parse_mode=mode, link_preview_options=preview,
            reply_parameters=reply, message_thread_id=target.thread_id)
        if alert.kind is AlertKind.NEW or first_breaking:
            await self.outbox.remember_story_message(alert.story_id, target.chat,
                                                     msg.message_id)
        return msg.message_id

    # -- the consumer loop, with deferred chats ------------------------------------------
    async def drain(self) -> int:
        """`run --once`: deferred chats now due go first, then everything in the outbox.

        A chat deferred in this run keeps its alerts in Redis, in order, for the next run
        (`--once` or not): waiting out Telegram's pause here could take hours."""
        await self.deferred.resume_due()
        handled = await super().drain()
        waiting = await self.outbox.deferred_chat_count()
        if waiting:
            log.warning("alerts wait in Redis for chats that Telegram paused; the next run "
                        "sends them", extra={"chats": waiting})
        return handled

    async def run(self) -> None:
        resumer = asyncio.create_task(self.deferred.run(), name="deferred")
        try:
            await super().run()
        finally:
            self.stop_requested.set()
            await asyncio.gather(resumer, return_exceptions=True)

    # -- one message outside the outbox (digests, admin notices) ----------------------------
    async def send_rendered(self, chat: int, rendered: Rendered, *, is_group: bool = False,
                            thread_id: int | None = None, lane: Lane = Lane.NOTICE,
                            subscriber: bool = True) -> int | None:
        """Send one message now, within the limits; the message id, or None if not sent.

        The outbox's policy (`decide`): a 429 pauses only this chat and is waited out here
        if short, else the message is given up for now (a digest stays queued for the next
        round) so that this chat never stalls the others; 403 deactivates; a migration
        moves the subscriber and resends; bad HTML falls back to plain text; network
        errors retry with backoff and jitter.
        """
        plain, attempt, target = False, 0, chat
        while not self.stopping:
            await self.pacer.wait_turn(str(target), is_group, lane)
            if self.stopping:
                break
            try:
                with self.pacer.sending(str(target), is_group):
                    msg = await self.bot.send_message(
                        target, rendered.text if plain else rendered.html,
                        parse_mode=None if plain else ParseMode.HTML,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                        message_thread_id=thread_id)
                return msg.message_id
            except TelegramError as exc:
                action = decide(exc)
            extra = {"chat": target, "error": action.message}
            match action.do:
                case Do.WAIT:
                    seconds = self._pause(str(target), action)
                    if seconds > self.deferred.defer_after:
                        log.warning("429 from Telegram: message left for later",
                                    extra={**extra, "retry_after": seconds})
                        return None
                case Do.UNSUBSCRIBE:
                    log.info("chat refuses the bot", extra=extra)
                    if subscriber:
                        await self.subscribers.deactivate(target, action.message)
                    return None
                case Do.MIGRATE:
                    log.info("group migrated to a supergroup",
                             extra={**extra, "new_chat": action.new_chat})
                    if subscriber:
                        await self.subscribers.migrate(target, action.new_chat)
                    target = action.new_chat
                case Do.PLAIN if not plain:
                    log.error("TELEGRAM REJECTED OUR HTML (or its length): falling back to "
                              "plain text", extra=extra)
                    plain = True
                case Do.NO_REPLY | Do.DONE | Do.NOTHING_TO_EDIT | Do.PLAIN | Do.REFUSED:
                    log.error("Telegram refused a message", extra=extra)
                    return None
                case _:  # RETRY, GIVE_UP_LATER
                    attempt += 1
                    if attempt >= self.max_attempts:
                        log.error("send failed for good; left for later", extra=extra)
                        return None
                    await self.ticker.sleep(retry_delay(attempt, self.backoff,
                                                        self.max_backoff))
        return None
