"""Burst benchmark (issue 13): 1,000 /start within one second while a broadcast runs.

    python bench/burst.py [--users 1000] [--subscribers 5000]   (also run by broadcast.py)

The real PTB Application (long polling) and the sender run in this process against the
fake Bot API over real HTTP on 127.0.0.1; the fake enforces Telegram's limits (30 msg/s
overall, 1/s per private chat) and answers 429 beyond them. Time is virtual
(tests/virtualtime.py) for the pacer, the retries and the fake's limits alike: 6,000
messages at 30/s take 200 virtual seconds and a few real ones. Printed: welcomes
delivered, the broadcast complete, lost and duplicated, throughput as a share of the
limit, p95 reply latency; then the same burst without the shared pacer (PTB's default,
no rate limiter: the bot before issue 13) as the naive baseline, and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Bot  # noqa: E402

from bot.config.settings import RateLimits, TelegramSettings  # noqa: E402
from bot.delivery.limiter import PacedLimiter  # noqa: E402
from bot.delivery.outbox import Outbox  # noqa: E402
from bot.delivery.pacing import Pacer  # noqa: E402
from bot.delivery.sender import Sender  # noqa: E402
from bot.delivery.subscribers import Subscriber, SubscriberStore  # noqa: E402
from bot.ops.metrics import Metrics  # noqa: E402
from bot.store import Keys, open_redis  # noqa: E402
from bot.telegram.app import build_application  # noqa: E402
from bot.telegram.types import BotServices, RuleInfo, StatusReport, StorySummary  # noqa: E402
from tests.fakebotapi import FakeBotAPI, FakeConfig  # noqa: E402
from tests.virtualtime import VirtualTime  # noqa: E402

TOKEN = "123456:TEST-fake-bot-api-token"
LIMITS = RateLimits(overall=30, private=1, group=20)  # Telegram's
FIRST_SUBSCRIBER, FIRST_USER = 20_000_000, 30_000_000


@dataclass
class Outcome:
    welcomed: int
    welcome_dups: int
    broadcast: int
    lost: int
    dups: int
    rate: float  # messages per (virtual) second, all traffic
    p95: float  # reply latency, virtual seconds
    count_429: int
    virtual: float
    real: float


async def run_burst(redis_url: str, *, users: int, subscribers: int, paced: bool,
                    patience: float = 600.0) -> Outcome:
    from bench.broadcast import alert  # one alert for both benchmarks

    vt = VirtualTime()
    fake = FakeBotAPI(TOKEN, config=FakeConfig(overall_rate=LIMITS.overall), clock=vt.now)
    await fake.start()
    keys = Keys(prefix=f"ewbench:{uuid.uuid4().hex[:8]}:v1")
    handle = await open_redis(redis_url, Path(tempfile.mkdtemp(prefix="ew-burst-")))
    client = handle.client
    store = SubscriberStore(client, keys)
    async with client.pipeline(transaction=False) as pipe:
        for c in range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + subscribers):
            pipe.set(keys.subscriber(c), Subscriber(chat_id=c).model_dump_json())
            pipe.sadd(keys.subscribers(), c)
        await pipe.execute()

    async def status() -> StatusReport:
        raise RuntimeError("not asked")

    async def latest(n: int) -> Sequence[StorySummary]:
        return []

    async def reload() -> list[str]:
        return []

    services = BotServices(subscribers=store, rules=lambda: (RuleInfo("r", {"en": "R"}),),
                           watch=lambda: ("KZ",), admins=frozenset, status=status,
                           reload=reload, latest=latest)
    pacer = Pacer(lambda: LIMITS, vt)
    limiter = (PacedLimiter(pacer, deadline=lambda: 600.0, metrics=Metrics())
               if paced else None)
    app = build_application(TOKEN, fake.url, services, rate_limiter=limiter)
    sender_bot = Bot(TOKEN, base_url=fake.base_url)
    outbox = Outbox(client, keys)
    sender = Sender(outbox, sender_bot, store, ticker=vt,
                    telegram=lambda: TelegramSettings(rate_limits=LIMITS),
                    pacer=pacer if paced else None)  # naive: its own, unshared pacer
    await sender_bot.initialize()
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=timedelta(seconds=1))
    began = time.monotonic()
    sent_at: dict[int, float] = {}
    broadcast = range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + subscribers)
    burst = range(FIRST_USER, FIRST_USER + users)
    try:
        async with vt:
            await outbox.publish(alert("burst-broadcast"))
            task = asyncio.create_task(sender.run())
            while True:  # until the broadcast is well under way
                if fake.total_messages() >= min(300, subscribers // 2):
                    break
                await asyncio.sleep(0.01)
            for user in burst:  # all within one (virtual) second
                sent_at[user] = vt.now()
                fake.command("start", user_id=user)
            deadline = time.monotonic() + patience
            # Done when the broadcast is and every user has an answer (the naive bot's lost
            # replies never come: it is done with the broadcast and its handlers).
            while time.monotonic() < deadline:
                if await outbox.depth() == 0 and (
                        not paced or all(fake.messages.get(u) for u in burst)):
                    break
                await asyncio.sleep(0.05)
            if not paced:
                await asyncio.sleep(1.0)  # handlers still in flight
            await sender.stop()
            await task
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        await sender_bot.shutdown()
        await fake.stop()
        batch = [k async for k in client.scan_iter(match=keys.pattern(), count=1000)]
        for i in range(0, len(batch), 1000):
            await client.delete(*batch[i:i + 1000])
        await handle.close()
    welcomes = {u: [m for m in fake.messages.get(u, []) if "Welcome" in m.plain]
                for u in burst}
    latencies = sorted(ms[0].at - sent_at[u] for u, ms in welcomes.items() if ms)
    stamps = [m.at for ms in fake.messages.values() for m in ms]
    span = max(stamps) - min(stamps) if stamps else 0.0
    return Outcome(
        welcomed=sum(1 for ms in welcomes.values() if ms),
        welcome_dups=sum(len(ms) - 1 for ms in welcomes.values() if len(ms) > 1),
        broadcast=sum(1 for c in broadcast if fake.messages.get(c)),
        lost=sum(1 for c in broadcast if not fake.messages.get(c)),
        dups=sum(len(fake.messages[c]) - 1 for c in broadcast if len(fake.messages.get(c, [])) > 1),
        rate=(len(stamps) - 1) / span if span > 0 else float("nan"),
        p95=statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else float("nan"),
        count_429=fake.count_429, virtual=vt.now(), real=time.monotonic() - began)


def report(redis_url: str, users: int, subscribers: int) -> bool:
    """Run the burst paced and naive; print the figures; True when the paced run passes."""
    print(f"\n== burst: {users} /start within one second while a {subscribers}-chat "
          f"broadcast runs (fake Bot API: {LIMITS.overall:g} msg/s overall, 1/s per chat; "
          "virtual time) ==")
    ours = asyncio.run(run_burst(redis_url, users=users, subscribers=subscribers, paced=True))
    print(f"welcomes delivered {ours.welcomed}/{users} (duplicated {ours.welcome_dups}); "
          f"broadcast {ours.broadcast}/{subscribers}: lost {ours.lost}, duplicated {ours.dups}")
    print(f"throughput {ours.rate:.1f} msg/s = {ours.rate / LIMITS.overall:.1%} of the limit "
          f"(target >= 90%); p95 reply latency {ours.p95:.1f} s; 429 answers {ours.count_429}; "
          f"{ours.virtual:.0f} virtual s in {ours.real:.1f} real s")
    logging.disable(logging.ERROR)  # the naive bot logs a traceback per lost reply
    try:
        naive = asyncio.run(run_burst(redis_url, users=users, subscribers=subscribers,
                                      paced=False))
    finally:
        logging.disable(logging.NOTSET)
    print(f"naive baseline (PTB default, no shared pacer): welcomes delivered "
          f"{naive.welcomed}/{users}, 429 answers {naive.count_429}, broadcast lost "
          f"{naive.lost}")
    print(f"ratio welcomes delivered eventwatch / naive: "
          f"{ours.welcomed / max(naive.welcomed, 1):.1f}x")
    return (ours.welcomed == users and ours.welcome_dups == 0 and ours.lost == 0
            and ours.dups == 0 and ours.rate >= 0.9 * LIMITS.overall)


def main() -> int:
    from bench.broadcast import redis_url

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--subscribers", type=int, default=5000)
    args = p.parse_args()
    url, embedded = redis_url(Path(tempfile.mkdtemp(prefix="ew-bench-")))
    try:
        ok = report(url, args.users, args.subscribers)
    finally:
        if embedded is not None:
            embedded.shutdown()
    print("\nRESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
