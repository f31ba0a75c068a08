"""Metrics: each metric counts what it says, and /metrics serves them over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
import redis.asyncio as aioredis
from prometheus_client.parser import text_string_to_metric_families

from bot.config.settings import MetricsSettings
from bot.errors import FeedErrorKind
from bot.ops.health import build_health
from bot.ops.metrics import (
    POLL_NOT_MODIFIED,
    Metrics,
    MetricsServer,
    build_app,
    start_metrics_server,
)
from bot.store.keys import Keys


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_each_registry_is_separate() -> None:
    a, b = Metrics(), Metrics()
    a.entries.labels(feed="f").inc(5)
    assert a.registry.get_sample_value("eventwatch_entries_total", {"feed": "f"}) == 5
    assert b.registry.get_sample_value("eventwatch_entries_total", {"feed": "f"}) is None


def test_helpers_count_polls_errors_and_latency() -> None:
    m = Metrics()
    m.poll_succeeded("a", at=1_700_000_000)
    m.poll_succeeded("a", POLL_NOT_MODIFIED)
    m.poll_failed("b", FeedErrorKind.TIMEOUT)
    m.poll_failed("b", FeedErrorKind.TIMEOUT)
    get = m.registry.get_sample_value
    assert get("eventwatch_polls_total", {"feed": "a", "status": "ok"}) == 1
    assert get("eventwatch_polls_total", {"feed": "a", "status": "not_modified"}) == 1
    assert get("eventwatch_polls_total", {"feed": "b", "status": "error"}) == 2
    assert get("eventwatch_feed_errors_total", {"feed": "b", "kind": "timeout"}) == 2
    last = get("eventwatch_last_successful_poll_timestamp_seconds")
    assert last is not None and last > 1_700_000_000  # the second call used "now"

    sent = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    m.observe_delivery(sent - timedelta(seconds=90), sent)
    m.observe_delivery(sent + timedelta(seconds=30), sent)  # a feed clock ahead: counted as 0
    m.observe_delivery(None, sent)  # no date: not counted
    assert get("eventwatch_delivery_latency_seconds_count") == 2
    assert get("eventwatch_delivery_latency_seconds_sum") == 90
    assert get("eventwatch_delivery_latency_seconds_bucket", {"le": "60.0"}) == 1
    assert get("eventwatch_delivery_latency_seconds_bucket", {"le": "120.0"}) == 2


async def test_metrics_endpoint_serves_every_metric(
    redis_client: aioredis.Redis, keys: Keys
) -> None:
    m = Metrics()
    m.poll_succeeded("azattyq-ru")
    m.feed_errors.labels(feed="dead", kind="http").inc()
    with m.parse_seconds.time():
        pass
    m.entries.labels(feed="azattyq-ru").inc(3)
    m.detections.labels(rule="troop-deployment").inc()
    m.stories.labels(kind="new").inc()
    m.alerts_sent.labels(channel="telegram", kind="new").inc(2)
    m.telegram_429.inc()
    m.observe_delivery(datetime.now(UTC) - timedelta(minutes=2))
    # The outbox depth is read from Redis at scrape time, through the callback.
    stream = keys.outbox()
    for i in range(4):
        await redis_client.xadd(stream, {"n": str(i)})

    async def depth() -> int:
        return int(await redis_client.xlen(stream))

    m.track_outbox_depth(depth)

    server = await start_metrics_server(MetricsSettings(port=0), m)
    assert server is not None
    try:
        async with aiohttp.ClientSession() as http, http.get(f"{server.url}/metrics") as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/plain")
            text = await resp.text()
            # No health was given: /healthz is not served.
            async with http.get(f"{server.url}/healthz") as missing:
                assert missing.status == 404
    finally:
        await server.stop()

    s = _samples(text)
    assert s[("eventwatch_polls_total", (("feed", "azattyq-ru"), ("status", "ok")))] == 1
    assert s[("eventwatch_feed_errors_total", (("feed", "dead"), ("kind", "http")))] == 1
    assert s[("eventwatch_parse_seconds_count", ())] == 1
    assert s[("eventwatch_entries_total", (("feed", "azattyq-ru"),))] == 3
    assert s[("eventwatch_detections_total", (("rule", "troop-deployment"),))] == 1
    assert s[("eventwatch_stories_total", (("kind", "new"),))] == 1
    assert s[("eventwatch_alerts_sent_total", (("channel", "telegram"), ("kind", "new")))] == 2
    assert s[("eventwatch_telegram_retry_after_total", ())] == 1
    assert s[("eventwatch_outbox_depth", ())] == 4
    assert s[("eventwatch_delivery_latency_seconds_count", ())] == 1
    assert s[("eventwatch_delivery_latency_seconds_bucket", (("le", "120.0"),))] == 0
    assert s[("eventwatch_delivery_latency_seconds_bucket", (("le", "300.0"),))] == 1


async def test_openmetrics_is_served_when_asked() -> None:
    server = await start_metrics_server(MetricsSettings(port=0), Metrics())
    assert server is not None
    try:
        headers = {"Accept": "application/openmetrics-text; version=1.0.0"}
        async with aiohttp.ClientSession() as http, \
                http.get(f"{server.url}/metrics", headers=headers) as resp:
            assert resp.headers["Content-Type"].startswith("application/openmetrics-text")
            assert (await resp.text()).rstrip().endswith("# EOF")
    finally:
        await server.stop()


async def test_a_failing_depth_source_keeps_metrics_answering() -> None:
    m = Metrics()
    calls = 0

    async def depth() -> int:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise ConnectionError("redis is down")
        return 7

    m.track_outbox_depth(depth)
    await m.refresh()
    await m.refresh()  # fails: the last known value stays
    assert m.registry.get_sample_value("eventwatch_outbox_depth") == 7
    m.track_outbox_depth(lambda: 2)  # a plain callable works too
    await m.refresh()
    assert m.registry.get_sample_value("eventwatch_outbox_depth") == 2


async def test_server_is_off_by_default() -> None:
    assert MetricsSettings().port is None
    assert await start_metrics_server(MetricsSettings(), Metrics()) is None


@pytest.fixture
async def busy_port() -> AsyncIterator[int]:
    server = MetricsServer(build_app(Metrics()), "127.0.0.1", 0)
    await server.start()
    try:
        yield server.port
    finally:
        await server.stop()


async def test_a_taken_port_raises_and_leaves_nothing_behind(busy_port: int) -> None:
    health = build_health(scheduler_alive=lambda: True)
    with pytest.raises(OSError):
        await start_metrics_server(MetricsSettings(port=busy_port), Metrics(), health)


async def test_a_hanging_depth_source_does_not_hang_the_scrape() -> None:
    m = Metrics(refresh_timeout=0.2)

    async def depth() -> int:
        await asyncio.Event().wait()  # a Redis that accepted the command and went quiet
        return 1

    m.track_outbox_depth(depth)
    server = await start_metrics_server(MetricsSettings(port=0), m)
    assert server is not None
    try:
        started = asyncio.get_running_loop().time()
        async with aiohttp.ClientSession() as http, http.get(f"{server.url}/metrics") as resp:
            assert resp.status == 200
            assert "eventwatch_outbox_depth 0.0" in await resp.text()
        assert asyncio.get_running_loop().time() - started < 5
    finally:
        await server.stop()


def test_duplicate_entries_gauge_follows_the_last_parsed_body_issue14() -> None:
    m = Metrics()
    m.poll_result("a", "ok", duplicates=3)
    m.poll_result("a", "not_modified")  # nothing parsed: the last value stands
    get = m.registry.get_sample_value
    assert get("eventwatch_feed_duplicate_entries", {"feed": "a"}) == 3
    m.poll_result("a", "ok", duplicates=0)
    assert get("eventwatch_feed_duplicate_entries", {"feed": "a"}) == 0
