"""Await a condition instead of sleeping a fixed time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

T = TypeVar("T")


async def until(condition: Callable[[], bool], seconds: float = 15.0) -> None:
    """Return as soon as condition() holds; TimeoutError after `seconds`."""
    async with asyncio.timeout(seconds):
        while True:
            if condition():
                return
            await asyncio.sleep(0.02)


async def until_async(condition: Callable[[], Awaitable[bool]], seconds: float = 15.0) -> None:
    """`until` for a condition that must ask Redis or a server."""
    async with asyncio.timeout(seconds):
        while True:
            if await condition():
                return
            await asyncio.sleep(0.02)


class _HasDepth(Protocol):
    async def depth(self) -> int: ...


async def drained(outbox: _HasDepth | None, seconds: float = 15.0) -> None:
    """Every alert in the outbox delivered and acknowledged. After a poll has returned (the
    pipeline publishes before it commits), this is the point past which no message from
    that poll can still arrive, so a test can count messages without sleeping."""
    assert outbox is not None

    async def empty() -> bool:
        return await outbox.depth() == 0

    await until_async(empty, seconds)


async def stored(read: Callable[[], Awaitable[T]], ok: Callable[[T], bool],
                 seconds: float = 5.0) -> None:
    """Wait until the bot has written what `ok` expects (for updates that get no reply)."""
    async def done() -> bool:
        return ok(await read())

    await until_async(done, seconds)
