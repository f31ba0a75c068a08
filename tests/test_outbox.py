"""The outbox on a real Redis: idempotent publish, consumer group, reclaim, records."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis

from bot.delivery.outbox import Outbox
from bot.store.keys import Keys
from bot.types import decode_alert, encode_alert
from tests.alerts import make_alert


async def test_publish_is_idempotent_by_alert_id(redis_client: aioredis.Redis,
                                                 keys: Keys) -> None:
    outbox = Outbox(redis_client, keys)
    first = await outbox.publish(make_alert(id="x1"))
    again = await outbox.publish(make_alert(id="x1", title="changed"))
    other = await outbox.publish(make_alert(id="x2"))
    assert first and other and again == ""
    assert await outbox.depth() == 2
    stored = await outbox.get_alert("x1")
    assert stored is not None and stored.title == "Police detain protesters in Almaty"
    assert await redis_client.ttl(keys.alert("x1")) > 0


async def test_read_ack_and_depth(redis_client: aioredis.Redis, keys: Keys) -> None:
    outbox = Outbox(redis_client, keys)
    for i in range(3):
        await outbox.publish(make_alert(id=f"r{i}"))
    got = await outbox.read("c1", count=2)
    assert [e.alert_id for e in got] == ["r0", "r1"]
    assert got[0].alert is not None and got[0].alert.id == "r0"
    assert await outbox.depth() == 3  # read but not acknowledged still counts
    assert await outbox.pending() == 2
    await outbox.ack(got[0].entry_id)
    assert await outbox.depth() == 2
    # Unacknowledged entries come back to their consumer after a restart…
    assert [e.alert_id for e in await outbox.own_pending("c1")] == ["r1"]
    # …and nobody else reads them as new.
    assert [e.alert_id for e in await outbox.read("c2", count=10)] == ["r2"]
    assert await outbox.read("c2", count=10, block_ms=50) == []


async def test_reclaim_takes_over_idle_entries_only(redis_client: aioredis.Redis,
                                                    keys: Keys) -> None:
    outbox = Outbox(redis_client, keys)
    await outbox.publish(make_alert(id="c1"))
    await outbox.publish(make_alert(id="c2"))
    crashed = await outbox.read("crashed", count=1)
    assert await outbox.reclaim("alive", min_idle=30) == []  # not idle long enough
    await asyncio.sleep(0.15)
    live = await outbox.read("busy", count=1)
    await outbox.touch("busy", [live[0].entry_id])  # a heartbeat keeps it
    reclaimed = await outbox.reclaim("alive", min_idle=0.1)
    assert [e.entry_id for e in reclaimed] == [crashed[0].entry_id]
    assert [e.alert_id for e in await outbox.own_pending("crashed")] == []


async def test_entry_whose_alert_expired_reads_as_none(redis_client: aioredis.Redis,
                                                       keys: Keys) -> None:
    outbox = Outbox(redis_client, keys)
    await outbox.publish(make_alert(id="gone"))
    await redis_client.delete(keys.alert("gone"))
    (entry,) = await outbox.read("c", count=5)
    assert entry.alert_id == "gone" and entry.alert is None


async def test_delivery_records_and_story_messages(redis_client: aioredis.Redis,
                                                   keys: Keys) -> None:
    outbox = Outbox(redis_client, keys)
    await outbox.record_delivery("a", 5, 17)
    # A single record already has its TTL: an alert that never finishes can't leak it.
    assert await redis_client.ttl(keys.delivery("a")) > 0
    await outbox.record_deliveries("a", {"6": "digest", "-100": "forbidden"})
    assert await outbox.deliveries("a") == {"5": "17", "6": "digest", "-100": "forbidden"}
    assert await redis_client.ttl(keys.delivery("a")) > 0
    await outbox.remember_story_message("s", 5, 17)
    await outbox.remember_story_message("s", 5, 99)  # only the story's first message counts
    assert await outbox.story_message("s", 5) == 17
    assert await outbox.story_message("s", 6) is None

    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert await outbox.claim_edit("s", 5, now, 600)
    assert not await outbox.claim_edit("s", 5, now + timedelta(seconds=599), 600)
    assert await outbox.claim_edit("s", 6, now, 600)
    assert await outbox.claim_edit("s", 5, now + timedelta(seconds=601), 600)


async def test_sent_log_counts_the_last_24h(redis_client: aioredis.Redis, keys: Keys) -> None:
    outbox = Outbox(redis_client, keys)
    now = datetime(2026, 1, 2, tzinfo=UTC)
    await outbox.log_sent("old", now - timedelta(hours=30))
    await outbox.log_sent("a", now - timedelta(hours=2))
    await outbox.log_sent("b", now)
    assert await outbox.sent_last_24h(now) == 2
    assert await redis_client.zcard(keys.alerts_log()) == 2  # trimmed


def test_alert_round_trips_through_json() -> None:
    alert = make_alert(sources=("A", "B"), breaking=True,
                       created=datetime(2026, 1, 1, 1, 1, tzinfo=UTC))
    assert decode_alert(encode_alert(alert)) == alert
