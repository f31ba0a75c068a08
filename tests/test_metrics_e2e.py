"""The metrics move in production: a real poll and delivery through the whole app (H1),
and every key a delivery leaves behind expires (M2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Eventwatch
from bot.store.keys import Keys
from tests.conftest import ROOT
from tests.fakebotapi import FakeBotAPI, fake_bot_api  # noqa: F401
from tests.feedserver import FeedServer, feed_server  # noqa: F401
from tests.reference import ALICE, reference_feed
from tests.waiting import until

WEEK = 7 * 86400


@pytest.fixture
def config_dir(tmp_path: Path, feed_server: FeedServer) -> Path:  # noqa: F811
    feed_server.route("/wire.xml", body=reference_feed(), etag='"v1"')
    feed_server.route("/broken.xml", status=500, body="oops")
    # A stories window longer than the outbox's old fixed 3-day story TTL.
    (tmp_path / "settings.yaml").write_text(
        f"rule_paths: [{ROOT / 'config' / 'rules'}]\npoll:\n  backfill: all\n"
        f"stories:\n  window: {WEEK}\n", encoding="utf-8")
    (tmp_path / "feeds.yaml").write_text(
        f"feeds:\n  - id: wire\n    name: The Wire\n    url: {feed_server.url('/wire.xml')}\n"
        f"    language: en\n  - id: broken\n    name: Broken\n"
        f"    url: {feed_server.url('/broken.xml')}\n    language: en\n", encoding="utf-8")
    return tmp_path


def samples(app: Eventwatch) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    body, _ = app.metrics.exposition()
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(body.decode())
            for s in family.samples}


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:
    return sum(v for (n, ls), v in found.items()
               if n == name and set(labels.items()) <= set(ls))


async def test_poll_and_delivery_move_the_metrics_and_every_key_expires(
    app_factory: Callable[[], Eventwatch], fake_bot_api: FakeBotAPI,  # noqa: F811
    redis_client: aioredis.Redis, keys: Keys,
) -> None:
    async with app_factory() as app:
        await app.start()
        try:
            fake_bot_api.command("start", user_id=ALICE, language_code="en")
            await until(lambda: bool(fake_bot_api.texts(ALICE)))
            welcome = len(fake_bot_api.texts(ALICE))
            fake_bot_api.flood(ALICE, retry_after=1, times=1)  # the first alert gets a 429
            assert app.scheduler is not None
            await app.scheduler.poll_now("broken")
            await app.scheduler.poll_now("wire")
            await until(lambda: len(fake_bot_api.texts(ALICE)) >= welcome + 1)  # one per article
            await until(lambda: value(
                samples(app), "eventwatch_alerts_sent_total") >= 1)
            await app.scheduler.poll_now("wire")  # 304
            found = samples(app)
        finally:
            await app.stop()

    assert value(found, "eventwatch_polls_total", feed="wire", status="ok") == 1
    assert value(found, "eventwatch_polls_total", feed="wire", status="not_modified") == 1
    assert value(found, "eventwatch_polls_total", feed="broken", status="error") == 1
    assert value(found, "eventwatch_feed_errors_total", feed="broken", kind="http") == 1
    assert value(found, "eventwatch_parse_seconds_count") >= 1
    assert value(found, "eventwatch_parse_seconds_sum") > 0
    assert value(found, "eventwatch_alerts_sent_total", channel="telegram", kind="new") >= 1
    assert value(found, "eventwatch_telegram_retry_after_total") >= 1
    assert value(found, "eventwatch_delivery_latency_seconds_count") >= 1
    assert value(found, "eventwatch_delivery_latency_seconds_sum") > 0
    assert value(found, "eventwatch_last_successful_poll_timestamp_seconds") > 0
    # Recorded for every parsed body, 0 included (issue 14); not for a failed poll.
    assert found[("eventwatch_feed_duplicate_entries", frozenset({("feed", "wire")}))] == 0
    assert not any(n == "eventwatch_feed_duplicate_entries" and ("feed", "broken") in ls
                   for n, ls in found)

    # Every key the delivery left behind expires, except the ones meant to stay.
    permanent = {keys.subscribers(), keys.subscriber(ALICE), keys.outbox(),
                 keys.feed_state("wire"), keys.feed_state("broken")}
    no_ttl = []
    story_ttls = []
    async for raw in redis_client.scan_iter(match=keys.pattern()):
        key = raw.decode() if isinstance(raw, bytes) else raw
        ttl = await redis_client.ttl(key)
        if key not in permanent and ttl <= 0:
            no_ttl.append(key)
        if key.endswith(":messages"):
            story_ttls.append(ttl)
    assert not no_ttl, no_ttl
    assert story_ttls and all(t > WEEK for t in story_ttls), story_ttls
