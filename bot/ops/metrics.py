"""Prometheus metrics, all defined here, and the small aiohttp server that exposes them.

`Metrics` owns its `CollectorRegistry`, so each test (and each app) gets its own and
nothing leaks through prometheus-client's global registry. The app always builds one
`Metrics` (it is cheap) and passes it to the poller, pipeline and sender; only serving
it over HTTP is optional (`metrics.port` in settings.yaml, off by default).

Label cardinality is bounded by the config: feed ids and rule ids come from YAML, and
every other label takes one of a few fixed values.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

from bot import __version__
from bot.config.settings import MetricsSettings
from bot.errors import FeedError, FeedErrorKind
from bot.ops.health import Health, healthz_handler

log = logging.getLogger(__name__)

# Poll outcomes, the values of the `status` label on eventwatch_polls_total.
POLL_OK = "ok"  # fetched and parsed a changed body
POLL_NOT_MODIFIED = "not_modified"  # 304, or the same body hash
POLL_ERROR = "error"

REFRESH_TIMEOUT = 2.0  # seconds
DepthSource = Callable[[], Awaitable[int] | int]

_PARSE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Published → sent: from seconds (a live feed) to hours (a slow feed, a Telegram outage).
_LATENCY_BUCKETS = (5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 21600, 86400)


class Metrics:
    """Every metric eventwatch exports. Use the attributes directly, e.g.
    `metrics.polls.labels(feed=feed_id, status=POLL_OK).inc()`."""

    def __init__(self, registry: CollectorRegistry | None = None, *,
                 refresh_timeout: float = REFRESH_TIMEOUT) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self.refresh_timeout = refresh_timeout
        r = self.registry
        self.polls = Counter(
            "eventwatch_polls", "Feed polls by outcome.", ["feed", "status"], registry=r
        )
        self.feed_errors = Counter(
            "eventwatch_feed_errors",
            "Failed polls by feed and kind (timeout, http, too_large, parse, ...).",
            ["feed", "kind"],
            registry=r,
        )
        self.parse_seconds = Histogram(
            "eventwatch_parse_seconds", "Time to parse one feed body.", buckets=_PARSE_BUCKETS,
            registry=r,
        )
        self.entries = Counter(
            "eventwatch_entries", "New (unseen) entries by feed.", ["feed"], registry=r
        )
        self.feed_duplicates = Gauge(
            "eventwatch_feed_duplicate_entries",
            "Items the feed's last parsed body repeated (same identity, same words) and "
            "that were dropped.",
            ["feed"],
            registry=r,
        )
        self.detections = Counter(
            "eventwatch_detections", "Detections by rule.", ["rule"], registry=r
        )
        self.stories = Counter(
            "eventwatch_stories",
            "Story outcomes: new, merged (another outlet), update (material change).",
            ["kind"],
            registry=r,
        )
        self.archive_errors = Counter(
            "eventwatch_archive_errors",
            "Polls whose entries could not be archived (the alerts went on regardless).",
            registry=r,
        )
        self.alerts_sent = Counter(
            "eventwatch_alerts_sent",
            "Messages delivered, by channel (telegram, console) and kind (new, update).",
            ["channel", "kind"],
            registry=r,
        )
        self.telegram_429 = Counter(
            "eventwatch_telegram_retry_after",
            "Telegram 429 answers (RetryAfter) received.",
            registry=r,
        )
        self.telegram_replies_lost = Counter(
            "eventwatch_telegram_replies_lost",
            "Replies to users (commands, buttons) given up after telegram.reply_deadline.",
            registry=r,
        )
        self.outbox_depth = Gauge(
            "eventwatch_outbox_depth",
            "Alerts in the outbox not yet acknowledged (refreshed at each scrape).",
            registry=r,
        )
        self.delivery_latency = Histogram(
            "eventwatch_delivery_latency_seconds",
            "Seconds from an entry's publication to its alert being sent.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.last_successful_poll = Gauge(
            "eventwatch_last_successful_poll_timestamp_seconds",
            "Unix time of the last successful poll of any feed.",
            registry=r,
        )
        self.build_info = Gauge(
            "eventwatch_build_info", "Always 1; the version in a label.", ["version"],
            registry=r,
        )
        self.build_info.labels(version=__version__).set(1)
        self._depth_source: DepthSource | None = None

    # -- helpers for the values that need a computation ------------------
    def observe_delivery(self, published: datetime | None, sent: datetime | None = None) -> None:
        """Record published → sent latency; entries without a date are not counted."""
        if published is None:
            return
        sent = sent or datetime.now(UTC)
        # A feed with a clock in the future would give a negative latency: count it as 0.
        self.delivery_latency.observe(max(0.0, (sent - published).total_seconds()))

    def poll_succeeded(self, feed: str, status: str = POLL_OK, at: float | None = None) -> None:
        self.polls.labels(feed=feed, status=status).inc()
        if at is None:
            self.last_successful_poll.set_to_current_time()
        else:
            self.last_successful_poll.set(at)

    def poll_failed(self, feed: str, kind: FeedErrorKind) -> None:
        self.polls.labels(feed=feed, status=POLL_ERROR).inc()
        self.feed_errors.labels(feed=feed, kind=kind.value).inc()

    def poll_result(self, feed: str, status: str, *, error: FeedError | None = None,
                    parse_seconds: float = 0.0, duplicates: int | None = None) -> None:
        """Record one poll as the poller reported it (status ok/not_modified/unchanged/error;
        `duplicates` when a body was parsed)."""
        if parse_seconds > 0:
            self.parse_seconds.observe(parse_seconds)
        if duplicates is not None:
            self.feed_duplicates.labels(feed=feed).set(duplicates)
        if status == POLL_ERROR:
            self.poll_failed(feed, error.kind if error is not None else FeedErrorKind.NETWORK)
        else:
            # "unchanged" (same body hash) is not_modified to a reader of the dashboard.
            self.poll_succeeded(feed, POLL_OK if status == POLL_OK else POLL_NOT_MODIFIED)

    def track_outbox_depth(self, source: DepthSource) -> None:
        """Set the callback (sync or async) that gives the outbox depth at scrape time,
        e.g. `metrics.track_outbox_depth(outbox.depth)`."""
        self._depth_source = source

    async def refresh(self) -> None:
        """Update the gauges that are read on demand. A failing source keeps the last value."""
        source = self._depth_source
        if source is None:
            return
        try:
            # A scrape must answer even when Redis hangs: bound the read.
            async with asyncio.timeout(self.refresh_timeout):
                value = source()
                if inspect.isawaitable(value):
                    value = await value
            self.outbox_depth.set(float(value))
        except Exception as exc:  # Redis down: /metrics must still answer
            log.warning("outbox depth unavailable: %s", str(exc) or type(exc).__name__)

    def exposition(self, accept: str | None = None) -> tuple[bytes, str]:
        """The registry in the text format the scraper asked for, and its content type."""
        encoder, content_type = choose_encoder(accept or "")
        return encoder(self.registry), content_type


def build_app(metrics: Metrics, health: Health | None = None, *,
              extend: Callable[[web.Application], None] | None = None) -> web.Application:
    """The observability app: GET /metrics and, when `health` is given, GET /healthz;
    `extend` adds more routes (the web pages, which live above this layer)."""

    async def metrics_handler(request: web.Request) -> web.Response:
        await metrics.refresh()
        body, content_type = metrics.exposition(request.headers.get("Accept"))
        return web.Response(body=body, headers={"Content-Type": content_type})

    app = web.Application()
    app.router.add_get("/metrics", metrics_handler)
    if health is not None:
        app.router.add_get("/healthz", healthz_handler(health))
    if extend is not None:
        extend(app)
    return app


class MetricsServer:
    """Serves `build_app` on host:port inside the running event loop (no extra thread)."""

    def __init__(self, app: web.Application, host: str, port: int) -> None:
        self._app = app
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        runner = web.AppRunner(self._app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        # Port 0 asks the OS for a free port (tests); report the one we got.
        for address in runner.addresses:
            self.port = int(address[1])
            break
        log.info("metrics and health on http://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"


async def start_metrics_server(
    settings: MetricsSettings, metrics: Metrics, health: Health | None = None, *,
    extend: Callable[[web.Application], None] | None = None,
) -> MetricsServer | None:
    """Start the server when `metrics.port` is set; None when it is off (the default)."""
    if settings.port is None:
        return None
    server = MetricsServer(build_app(metrics, health, extend=extend), settings.host,
                           settings.port)
    await server.start()
    return server
