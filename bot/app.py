"""The composition root: builds eventwatch from `Env` and `Config`, runs it, stops it.

Everything the app holds is opened on one `AsyncExitStack`, so it closes in reverse
order whatever happens. Components read their settings through accessors of the one
`CurrentConfig`, so a reload swaps that reference and patches nothing. Tests build the
same app with local URLs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
import sys
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from typing import IO, Literal

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import Bot
from telegram.ext import Application

from bot.archive import EntryArchive
from bot.config.current import CurrentConfig
from bot.config.loader import Config, load_config
from bot.config.reload import ConfigWatcher, watched_paths
from bot.config.settings import Env, FeedSpec, Settings
from bot.delivery.console import ConsoleSink
from bot.delivery.consumer import OutboxConsumer
from bot.delivery.digest import Digests, DigestStore
from bot.delivery.limiter import PacedLimiter
from bot.delivery.notice import admin_notice
from bot.delivery.outbox import Outbox
from bot.delivery.pacing import Pacer
from bot.delivery.sender import Sender
from bot.delivery.subscribers import SubscriberStore
from bot.errors import ConfigErrors
from bot.feeds.fetch import Fetcher
from bot.feeds.fulltext import FullText
from bot.feeds.health import feed_health
from bot.feeds.leases import PollLeases
from bot.feeds.parse import Parser
from bot.feeds.poll import Poller, PollResult
from bot.feeds.schedule import FeedScheduler
from bot.ops.health import PollTracker, build_health
from bot.ops.metrics import Metrics, MetricsServer, start_metrics_server
from bot.ops.progress import Progress
from bot.pipeline import Pipeline
from bot.store import Keys, RedisHandle, open_redis
from bot.store.keys import DEFAULT_PREFIX
from bot.stories.store import StoryStore
from bot.telegram.app import build_application
from bot.telegram.sources import rule_infos, status_report, story_summary
from bot.telegram.types import BotServices, StatusReport, StorySummary
from bot.telegram.webhook import WebhookServer
from bot.text import clip_lines
from bot.times import MONOTONIC, Ticker
from bot.web import WebPages, WebServices

log = logging.getLogger(__name__)
ADMIN_NOTICE_ERRORS = 3500  # characters of config errors in an admin notice

# worker = poller + sender without answering Telegram: scale out with N workers + 1 bot.
Role = Literal["all", "poller", "sender", "bot", "worker"]
ROLES: tuple[Role, ...] = ("all", "poller", "sender", "bot", "worker")
HOUSEKEEPING_EDITS = 60.0  # seconds between flushes of coalesced source edits
HOUSEKEEPING_DIGESTS = 300.0  # seconds between digest rounds
# Called after a reload with (old, new), e.g. by the CLI to reconfigure logging.
OnReload = Callable[[Config, Config], None]


class Eventwatch:
    def __init__(self, env: Env, config: Config, *, role: Role = "all",
                 keys: Keys | None = None, out: IO[str] | None = None,
                 updates_timeout: float = 10.0, watch_config: bool = False,
                 reload_debounce: float = 0.5, on_reload: Sequence[OnReload] = (),
                 ticker: Ticker = MONOTONIC) -> None:
        self.ticker = ticker  # what pacing and retries wait on (virtual in tests)
        self.env = env
        self.current = CurrentConfig(config)
        self.on_reload = tuple(on_reload)
        self.role = role
        self.keys = keys or Keys(env.redis_prefix or DEFAULT_PREFIX)
        self.watch_config = watch_config  # reload when a config file changes (watchfiles)
        self.reload_debounce = reload_debounce
        self.watcher: ConfigWatcher | None = None
        self.webhook: WebhookServer | None = None
        self._reload_lock = asyncio.Lock()
        self.out = out
        self.updates_timeout = updates_timeout  # long-polling getUpdates, seconds
        self.metrics = Metrics()
        self.poll_tracker = PollTracker()
        self._stack = AsyncExitStack()
        self.scheduler: FeedScheduler | None = None
        self.telegram: Application | None = None  # type: ignore[type-arg]
        self.consumer: OutboxConsumer | None = None
        self.metrics_server: MetricsServer | None = None
        self._housekeeping: AsyncIOScheduler | None = None
        self._consumer_task: asyncio.Task[None] | None = None

    @property
    def config(self) -> Config:
        return self.current()

    # -- building -------------------------------------------------------------------
    async def __aenter__(self) -> Eventwatch:
        try:
            await self._open()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def _open(self) -> None:
        settings = self.config.settings
        self.redis_handle: RedisHandle = await open_redis(self.env.redis_url, self.env.data_dir)
        self._stack.push_async_callback(self.redis_handle.close)
        redis = self.redis_handle.client
        # The HTTP session's limits are fixed when it opens (see _apply).
        self.fetcher = await self._stack.enter_async_context(Fetcher(settings.poll))
        self.parser = await self._stack.enter_async_context(Parser())
        self.poller = Poller(redis, self.keys, lambda: self.config.settings.poll,
                             self.fetcher, self.parser)
        self.stories = StoryStore(redis, self.keys, lambda: self.config.settings.stories)
        await self.stories.warm()  # now, not at the first alert
        # Story message maps must outlive the stories window, or late edits lose their target.
        self.outbox = Outbox(redis, self.keys,
                             story_ttl=lambda: int(self.config.settings.stories.window) + 86400)
        self.subscribers = SubscriberStore(redis, self.keys)
        self.archive = EntryArchive(redis, self.keys, lambda: self.config.settings.archive,
                                    on_error=self.metrics.archive_errors.inc)
        self.pipeline = Pipeline(
            lambda: self.config.rules, self.poller, self.stories, self.outbox,
            fulltext=FullText(redis, self.keys, self.fetcher), metrics=self.metrics,
            archive=self.archive,
        )
        self.metrics.track_outbox_depth(self.outbox.depth)

        if self.env.telegram_token:
            # One pacer for everything sent: the bot's replies and the sender's messages.
            pacer = Pacer(lambda: self.config.settings.telegram.rate_limits, self.ticker)
            limiter = PacedLimiter(
                pacer, deadline=lambda: self.config.settings.telegram.reply_deadline,
                max_retry_after=lambda: self.config.settings.telegram.max_retry_after,
                metrics=self.metrics)
            self.telegram = build_application(
                self.env.telegram_token, self.env.telegram_api_url, self._bot_services(),
                rate_limiter=limiter)
            await self.telegram.initialize()
            self._stack.push_async_callback(self.telegram.shutdown)
            # The sender paces and retries its own requests (policy, deferral): it gets a
            # plain Bot, not the Application's, whose requests the limiter paces.
            api = self.env.telegram_api_url.rstrip("/")
            sender_bot = Bot(self.env.telegram_token, base_url=f"{api}/bot",
                             base_file_url=f"{api}/file/bot")
            await sender_bot.initialize()
            self._stack.push_async_callback(sender_bot.shutdown)
            self.consumer = Sender(
                self.outbox, sender_bot, self.subscribers,
                telegram=lambda: self.config.settings.telegram,
                stories=lambda: self.config.settings.stories,
                digests=DigestStore(self.outbox), rule_title=self._rule_title,
                metrics=self.metrics, pacer=pacer,
            )
        else:
            self.consumer = ConsoleSink(self.outbox, stream=self.out, rule_title=self._rule_title,
                                        metrics=self.metrics)

    def _rule_title(self, rule_id: str, language: str) -> str:
        try:
            return self.config.rules.rule_title(rule_id, language)
        except KeyError:
            return rule_id

    def _bot_services(self) -> BotServices:
        async def status() -> StatusReport:
            rows = await feed_health(self.redis_handle.client, self.keys, self.config.feeds)
            now = datetime.now(UTC)
            last = self.poll_tracker()
            return status_report(
                rows, outbox_depth=await self.outbox.depth(),
                alerts_24h=await self.outbox.sent_last_24h(now),
                outbox_pending=await self.outbox.pending(),
                last_poll=datetime.fromtimestamp(last, UTC) if last else None,
            )

        async def latest(limit: int) -> Sequence[StorySummary]:
            return [story_summary(s) for s in await self.stories.recent(limit)]

        return BotServices(
            subscribers=self.subscribers,
            rules=lambda: rule_infos(self.config.rules.rules),
            watch=lambda: self.config.settings.watch,
            admins=lambda: frozenset(self.config.settings.telegram.admins),
            status=status, reload=self.reload, latest=latest,
        )

    # -- the work -------------------------------------------------------------------
    async def on_result(self, feed: FeedSpec, result: PollResult) -> None:
        if result.ok:
            self.poll_tracker.record()
        self.metrics.poll_result(feed.id, result.status, error=result.error,
                                 parse_seconds=result.parse_seconds,
                                 duplicates=result.duplicates)
        if result.dead_notice:
            await self.notify_admins(f"Feed {feed.id} is dead: {result.error}")
        try:
            handled = await self.pipeline.handle(feed, result)
        except Exception:  # nothing committed: the entries come back on the next poll
            log.exception("pipeline failed; the poll will be retried", extra={"feed": feed.id})
            return
        if handled.entries:
            log.info("feed processed", extra={
                "feed": feed.id, "entries": handled.entries,
                "detections": handled.detections, "alerts": handled.alerts})

    async def notify_admins(self, text: str) -> None:
        """Tell the admin chat (plain text, capped to one message) through the sender: the
        same pacer and error policy as every other message."""
        log.warning(text)
        chat = self.config.settings.telegram.admin_chat
        if not isinstance(self.consumer, Sender) or chat is None:
            return
        notice = admin_notice(text)
        try:
            sent = await self.consumer.send_rendered(chat, notice, is_group=chat < 0,
                                                     subscriber=False)
        except Exception:
            log.exception("could not tell the admin chat", extra={"chat": chat})
            return
        if sent is None:
            log.error("could not tell the admin chat", extra={"chat": chat})

    async def run_once(self) -> int:
        """Poll every feed once, process and deliver everything; the number of alerts."""
        assert self.consumer is not None
        # A first run over many feeds takes a while: a bar on a terminal (stderr) only.
        with Progress(len(self.config.feeds), sys.stderr, label="polling",
                      unit=" feeds") as progress:
            results = await self.poller.poll_many(
                self.config.feeds, progress=lambda feed, result: progress.advance())
        for feed, result in zip(self.config.feeds, results, strict=True):
            if result.error:
                log.warning("feed failed", extra={"feed": feed.id, "error": str(result.error)})
            await self.on_result(feed, result)
        await self.pipeline.flush_edits()
        return await self.consumer.drain()

    async def reload(self) -> list[str]:
        """Load the config again; on errors keep the old one and return them."""
        async with self._reload_lock:  # a SIGHUP and a file change at once: one at a time
            try:
                config = await asyncio.to_thread(load_config, self.config.directory)
            except ConfigErrors as exc:
                lines = [str(e) for e in exc.errors]
                log.error("config reload failed; the old config keeps running",
                          extra={"errors": lines})
                return lines
            self._apply(config)
        log.info("config reloaded", extra={"feeds": len(config.feeds),
                                           "rules": len(config.rules.rule_ids)})
        return []

    def _apply(self, config: Config) -> None:
        """Swap the config in force: every component reads it through its accessor. The
        feed jobs are the scheduler's state, so it is told about the new feed list."""
        old = self.current.swap(config)
        if self.scheduler is not None:
            self.scheduler.reschedule(config.feeds)
        for hook in self.on_reload:
            hook(old, config)
        # The HTTP session's limits and the metrics server are set when they are opened.
        fixed = [name for name, changed in (
            ("poll.concurrency/per_host/timeouts/max_body/max_redirects",
             _session_limits(config.settings) != _session_limits(old.settings)),
            ("metrics", config.settings.metrics != old.settings.metrics),
            ("web", config.settings.web != old.settings.web),
        ) if changed]
        if fixed:
            log.warning("some changed settings take effect after a restart",
                        extra={"settings": fixed})

    async def reload_and_report(self, reason: str = "") -> list[str]:
        """`reload()`, and tell the admins when the new config is refused (SIGHUP, files)."""
        log.info("reloading config", extra={"reason": reason or "request"})
        errors = await self.reload()
        if errors:
            # One Telegram message (≤ 4,096); the log has every error.
            await self.notify_admins(
                f"Config reload failed ({reason or 'request'}); the old config keeps "
                f"running:\n{clip_lines(errors, ADMIN_NOTICE_ERRORS)}")
        return errors

    async def start(self) -> None:
        """Start what this process's role does; returns once everything runs."""
        settings = self.config.settings
        polls = self.role in ("all", "poller", "worker")
        sends = self.role in ("all", "sender", "worker")
        answers = self.role in ("all", "bot")
        if polls:
            self.scheduler = FeedScheduler(
                self.config.feeds, lambda: self.config.settings.poll, self.poller,
                self.on_result,
                leases=PollLeases(self.redis_handle.client, self.keys),
                on_skip=lambda feed: self.poll_tracker.record(),
            )
            self.scheduler.start(resume=await self.poller.schedule_state(self.config.feeds))
        if sends and self.consumer is not None:
            self._consumer_task = asyncio.create_task(self.consumer.run(), name="outbox")
        self._housekeeping = AsyncIOScheduler(timezone=UTC)
        if polls:
            self._housekeeping.add_job(self.pipeline.flush_edits, "interval",
                                       seconds=HOUSEKEEPING_EDITS, max_instances=1,
                                       coalesce=True, id="edits")
        if sends and isinstance(self.consumer, Sender):
            digests = Digests(self.consumer.digests, self.subscribers, self.consumer,
                              rule_title=self._rule_title)
            self._housekeeping.add_job(digests.run_due, "interval", seconds=HOUSEKEEPING_DIGESTS,
                                       max_instances=1, coalesce=True, id="digests")
        self._housekeeping.start()
        if answers and self.telegram is not None:
            assert self.telegram.updater is not None
            hook = settings.telegram.webhook
            if hook is not None:  # check before anything starts: no half-started bot
                self.webhook = WebhookServer(self.telegram, hook,
                                             self.env.telegram_webhook_secret or "")
            await self.telegram.post_init(self.telegram)  # type: ignore[misc]
            await self.telegram.start()
            if self.webhook is not None:
                await self.webhook.start()
            else:
                await self.telegram.updater.start_polling(
                    # getUpdates takes whole seconds: a fraction is a request Telegram refuses.
                    poll_interval=0,
                    timeout=timedelta(seconds=math.ceil(self.updates_timeout)))
        health = build_health(
            redis_ping=self.redis_handle.client.ping,
            scheduler_alive=(lambda: self.scheduler is not None and self.scheduler.running)
            if polls else None,
            last_poll=self.poll_tracker if polls else None,
            max_poll_age=3 * settings.poll.max_interval,
        )
        self.metrics_server = await start_metrics_server(
            settings.metrics, self.metrics, health, extend=self._web_pages())
        if self.watch_config:
            self.watcher = ConfigWatcher(lambda: watched_paths(self.config),
                                         lambda: self.reload_and_report("files changed"),
                                         debounce=self.reload_debounce)
            self.watcher.start()

    def _web_pages(self) -> Callable[[web.Application], None] | None:
        """The operator pages' routes, when `web.enabled` and a token is set."""
        if not self.config.settings.web.enabled:
            return None
        if not self.env.web_token:
            log.warning("web.enabled is set but EVENTWATCH_WEB_TOKEN is not: the web pages "
                        "stay off")
            return None
        redis = self.redis_handle.client
        pages = WebPages(WebServices(
            token=self.env.web_token, config=lambda: self.config, archive=self.archive,
            stories=self.stories, outbox=self.outbox,
            feed_health=lambda: feed_health(redis, self.keys, self.config.feeds)))
        return pages.install

    async def stop(self) -> None:
        """Stop taking work, let work in flight finish; what is left stays queued."""
        if self.watcher is not None:
            await self.watcher.stop()
        if self.webhook is not None:
            await self.webhook.stop()
        if self.telegram is not None and self.telegram.running:
            assert self.telegram.updater is not None
            if self.telegram.updater.running:
                await self.telegram.updater.stop()
            await self.telegram.stop()
        if self._housekeeping is not None and self._housekeeping.running:
            self._housekeeping.shutdown(wait=False)
        if self.scheduler is not None:
            await self.scheduler.shutdown()
        if self.consumer is not None and self._consumer_task is not None:
            await self.consumer.stop()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer_task
        if self.metrics_server is not None:
            await self.metrics_server.stop()


def _session_limits(settings: Settings) -> tuple[object, ...]:
    p = settings.poll
    return (p.concurrency, p.per_host, p.connect_timeout, p.timeout, p.max_body,
            p.max_redirects)


async def serve(env: Env, config: Config, *, role: Role, out: IO[str] | None = None,
                on_reload: Sequence[OnReload] = ()) -> None:
    """Run until SIGINT or SIGTERM (or SIGHUP reloads), then stop cleanly."""
    stop = asyncio.Event()
    reloads: set[asyncio.Future[list[str]]] = set()

    async with Eventwatch(env, config, role=role, out=out, watch_config=True,
                          on_reload=on_reload) as app:
        loop = asyncio.get_running_loop()

        def hangup() -> None:
            log.info("SIGHUP received")
            future = asyncio.ensure_future(app.reload_and_report("SIGHUP"))
            reloads.add(future)  # keep a reference until it is done
            future.add_done_callback(reloads.discard)

        loop.add_signal_handler(signal.SIGINT, stop.set)
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.add_signal_handler(signal.SIGHUP, hangup)
        await app.start()
        log.info("eventwatch running", extra={"role": role, "feeds": len(config.feeds)})
        try:
            await stop.wait()
        finally:
            log.info("shutting down")
            await app.stop()


async def run_once(env: Env, config: Config, *, out: IO[str] | None = None) -> int:
    async with Eventwatch(env, config, out=out) as app:
        return await app.run_once()


def run(env: Env, config: Config, *, once: bool = False, role: Role = "all",
        on_reload: Sequence[OnReload] = ()) -> int:
    if once:
        count = asyncio.run(run_once(env, config))
        print(f"eventwatch: {count} alert(s) delivered", file=sys.stderr)
        return 0
    asyncio.run(serve(env, config, role=role, on_reload=on_reload))
    return 0
