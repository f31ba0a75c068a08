"""Scale-out (issue 7 §4): three `eventwatch run` processes on one Redis poll each feed
once per interval (leases) and deliver each alert once per subscriber (consumer group,
atomic story claims); only the `all` process answers Telegram."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.delivery.subscribers import Subscriber, SubscriberStore
from bot.feeds.leases import PollLeases
from bot.store.keys import Keys
from tests.articles import ARTICLES, rss
from tests.conftest import ROOT
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer, feed_server  # noqa: F401
from tests.processes import Process, eventwatch_env, spawn
from tests.waiting import until

CHATS = (2001, 2002, 2003)
FEEDS = 4
INTERVAL = 2.0


def write_config(cfg: Path, server: FeedServer, *, interval: float = INTERVAL,
                 extra: str = "") -> None:
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "settings.yaml").write_text(
        f"rule_paths: [{ROOT / 'config' / 'rules'}]\n"
        # min_interval = interval: polls never speed up, so a gap under half of it
        # can only be two processes polling in one slot.
        f"poll:\n  backfill: all\n  min_interval: {interval:g}\n  jitter: 0\n"
        "telegram:\n  rate_limits: {private: 50}\n" + extra, encoding="utf-8")
    lines = ["feeds:"]
    for i in range(FEEDS):
        lines.append(f"  - {{id: f{i}, url: '{server.url(f'/f{i}.xml')}', language: en, "
                     f"interval: {interval:g}}}")
    (cfg / "feeds.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


async def subscribe(redis_client: aioredis.Redis, keys: Keys) -> None:
    store = SubscriberStore(redis_client, keys)
    for chat in CHATS:
        await store.save(Subscriber(chat_id=chat, language="en"))


async def test_lease_one_winner_per_slot(redis_client: aioredis.Redis, keys: Keys) -> None:
    now = datetime.now(UTC)
    leases = [PollLeases(redis_client, keys, owner=f"p{i}") for i in range(3)]

    async def claims() -> list[float | None]:
        return list(await asyncio.gather(*(lease.claim("f", now, 30) for lease in leases)))

    assert sorted(a is None for a in await claims()) == [False, False, True]  # one winner
    # The winner's poll stored the next poll time: everyone waits for it.
    state = keys.feed_state("f")
    await redis_client.hset(state, "next_poll", (now + timedelta(seconds=10)).isoformat())
    assert [round(a or 0) for a in await claims()] == [10, 10, 10]
    # That time has come: a new slot, again exactly one winner.
    await redis_client.hset(state, "next_poll", (now - timedelta(seconds=1)).isoformat())
    assert sorted(a is None for a in await claims()) == [False, False, True]
    assert 25_000 < await redis_client.pttl(keys.feed_lease("f", 0)) <= 120_000  # expires


@pytest.mark.slow
async def test_three_processes_poll_once_and_deliver_once(
    tmp_path: Path, redis_url: str, keys: Keys, redis_client: aioredis.Redis,
    fake_bot_api: FakeBotAPI, feed_server: FeedServer,  # noqa: F811
) -> None:
    fake_bot_api.config.private_rate = None
    for i in range(FEEDS):
        feed_server.route(f"/f{i}.xml", body=rss([ARTICLES[i]], slug=f"f{i}"), etag='"1"')
    cfg = tmp_path / "cfg"
    write_config(cfg, feed_server)
    await subscribe(redis_client, keys)
    env = eventwatch_env(redis_url=redis_url, prefix=keys.prefix, token=fake_bot_api.token,
                         api_url=fake_bot_api.url, data_dir=tmp_path / "data")
    procs: list[Process] = []
    try:
        for role in ("all", "worker", "worker"):
            procs.append(await spawn("run", "--config", str(cfg), "--role", role, env=env,
                                     name=role))
        await asyncio.gather(*(p.wait_for("eventwatch running") for p in procs))
        start = asyncio.get_running_loop().time()

        await until(lambda: all(len(fake_bot_api.texts(c)) >= FEEDS for c in CHATS), 30)
        # A second wave: two feeds publish one more article each.
        feed_server.route("/f0.xml", body=rss([ARTICLES[0], ARTICLES[4]], slug="f0"),
                          etag='"2"')
        feed_server.route("/f1.xml", body=rss([ARTICLES[1], ARTICLES[5]], slug="f1"),
                          etag='"2"')
        await until(lambda: all(len(fake_bot_api.texts(c)) >= FEEDS + 2 for c in CHATS), 30)
        await asyncio.sleep(3 * INTERVAL)  # room for duplicates to show up
        end = asyncio.get_running_loop().time()
    finally:
        codes = [await p.stop() for p in procs]
    logs = "\n".join(f"--- {p.name}\n{p.log()[-3000:]}" for p in procs)
    assert codes == [0, 0, 0], logs

    for chat in CHATS:
        texts = fake_bot_api.plain_texts(chat)
        dupes = {t.split("\n")[0]: n for t, n in Counter(texts).items() if n > 1}
        assert not dupes, dupes
        assert len(texts) == FEEDS + 2, texts

    window = end - start
    for i in range(FEEDS):
        times = sorted(r.at for r in feed_server.requests if r.path == f"/f{i}.xml")
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert gaps and min(gaps) >= INTERVAL * 0.5, (i, gaps)  # never two polls at once
        in_window = sum(1 for t in times if start <= t <= end)
        assert in_window <= window / INTERVAL + 2, (i, in_window, window)
        assert in_window >= window / INTERVAL / 3, (i, in_window, window)  # still polled
    # Only the `all` process answers Telegram (getUpdates).
    assert "getupdates" in {k.lower() for k in fake_bot_api.requests}


@pytest.mark.parametrize(("role", "polls", "sends", "answers"), [
    ("all", True, True, True),
    ("poller", True, False, False),
    ("sender", False, True, False),
    ("bot", False, False, True),
    ("worker", True, True, False),
])
async def test_role_starts_only_its_part(
    role: str, polls: bool, sends: bool, answers: bool, tmp_path: Path, redis_url: str,
    keys: Keys, redis_client: aioredis.Redis, fake_bot_api: FakeBotAPI,
    feed_server: FeedServer,  # noqa: F811
) -> None:
    from bot.app import Eventwatch
    from bot.config.loader import load_config
    from bot.config.settings import Env

    feed_server.route("/f0.xml", body=rss([ARTICLES[0]], slug="f0"))
    cfg = tmp_path / "cfg"
    write_config(cfg, feed_server, interval=600)
    env = Env(redis_url=redis_url, telegram_token=fake_bot_api.token,
              telegram_api_url=fake_bot_api.url, config_dir=cfg, data_dir=tmp_path / "d")
    async with Eventwatch(env, load_config(cfg), role=role,  # type: ignore[arg-type]
                          keys=keys, updates_timeout=0.2) as app:
        await app.start()
        try:
            assert (app.scheduler is not None) is polls
            assert (app._consumer_task is not None) is sends
            assert app.telegram is not None and app.telegram.running is answers
            if answers:
                await until(lambda: fake_bot_api.requests["getUpdates"] > 0
                            or fake_bot_api.requests["getupdates"] > 0, 5)
        finally:
            await app.stop()
    if not answers:
        assert fake_bot_api.requests["getUpdates"] == fake_bot_api.requests["getupdates"] == 0


async def test_webhook_mode_answers_updates_with_the_secret_only(
    tmp_path: Path, redis_url: str, keys: Keys, redis_client: aioredis.Redis,
    fake_bot_api: FakeBotAPI, feed_server: FeedServer,  # noqa: F811
) -> None:
    """The alternative to "exactly one getUpdates process": Telegram pushes to one URL."""
    import aiohttp

    from bot.app import Eventwatch
    from bot.config.loader import load_config
    from bot.config.settings import Env

    feed_server.route("/f0.xml", body=rss([ARTICLES[0]], slug="f0"))
    cfg = tmp_path / "cfg"
    write_config(cfg, feed_server, interval=600, extra=(
        "  webhook: {url: 'https://bot.example.org/tg/hook', listen: 127.0.0.1, port: 0}\n"))
    env = Env(redis_url=redis_url, telegram_token=fake_bot_api.token,
              telegram_api_url=fake_bot_api.url, config_dir=cfg, data_dir=tmp_path / "d",
              telegram_webhook_secret="s3cret-token")
    user = 7001
    async with Eventwatch(env, load_config(cfg), role="bot", keys=keys) as app:
        await app.start()
        try:
            assert app.webhook is not None
            assert fake_bot_api.webhook is not None
            assert fake_bot_api.webhook["url"] == "https://bot.example.org/tg/hook"
            assert fake_bot_api.webhook["secret_token"] == "s3cret-token"
            url = f"http://127.0.0.1:{app.webhook.port}/tg/hook"
            update = fake_bot_api.command("start", user_id=user, language_code="en")
            async with aiohttp.ClientSession() as http:
                async with http.post(url, json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}) as r:
                    assert r.status == 403
                await asyncio.sleep(0.3)
                assert fake_bot_api.texts(user) == []
                async with http.post(url, json=update, headers={
                        "X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}) as r:
                    assert r.status == 200
            await until(lambda: bool(fake_bot_api.texts(user)), 10)
            assert await SubscriberStore(redis_client, keys).get(user) is not None
        finally:
            await app.stop()
    assert fake_bot_api.requests["getUpdates"] == fake_bot_api.requests["getupdates"] == 0


def test_webhook_needs_https_and_a_secret(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from bot.config.settings import WebhookSettings
    from bot.telegram.webhook import WebhookServer

    with pytest.raises(ValidationError):
        WebhookSettings(url="http://bot.example.org/hook")
    with pytest.raises(ValueError, match="WEBHOOK_SECRET"):
        WebhookServer(None, WebhookSettings(url="https://bot.example.org/hook"),  # type: ignore[arg-type]
                      "")
