"""`EntryArchive`: the recent polled entries in Redis, for backtests and the rule studio.

Layout (keys in `bot.store.keys`): one hash, archive id → compressed entry
(`bot.archive.codec`), and one sorted set, archive id → when it was polled. One hash
costs far less per entry than one key per entry (bench/archive.py measures both). An
edited entry replaces its earlier version, so a replay sees each entry once, as the
detectors last saw it.

Every write is one Lua script: store the batch, then drop what fell out of
`archive.window` and the oldest entries past `archive.max_entries`, and refresh both
keys' TTL (the window), so an idle deployment's archive expires whole. A write never
raises into the pipeline: `keep` logs, counts through `on_error` and returns False,
because an alert must never wait on, or be lost to, the archive.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import cast

import redis.asyncio as aioredis

from bot.archive.codec import UnreadableEntry, decode, encode
from bot.archive.types import ArchivedEntry
from bot.config.settings import ArchiveSettings
from bot.store.keys import Keys
from bot.store.redis import text
from bot.stories.decisions import entry_id
from bot.types import Entry

log = logging.getLogger(__name__)

WRITE_TIMEOUT = 5.0  # seconds: a slow Redis delays the archive, never the alerts for long
MAX_TRIM = 10_000  # entries dropped per write at most, so one write never stalls Redis
READ_BATCH = 500

# KEYS: entries hash, index zset. ARGV: now, floor, max entries, ttl ms, max trim,
# then (id, blob) pairs.
_KEEP = """
for i = 6, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[2], ARGV[1], ARGV[i])
end
local budget = tonumber(ARGV[5])
local function drop(ids)
  for i = 1, #ids, 500 do
    local chunk = {unpack(ids, i, math.min(i + 499, #ids))}
    redis.call('HDEL', KEYS[1], unpack(chunk))
    redis.call('ZREM', KEYS[2], unpack(chunk))
  end
  budget = budget - #ids
end
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[2], 'LIMIT', 0, budget)
drop(old)
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
if over > 0 and budget > 0 then
  drop(redis.call('ZRANGE', KEYS[2], 0, math.min(over, budget) - 1))
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return #old
"""


class EntryArchive:
    def __init__(self, redis: aioredis.Redis, keys: Keys,
                 settings: Callable[[], ArchiveSettings], *,
                 on_error: Callable[[], None] | None = None) -> None:
        self.redis = redis
        self.keys = keys
        self._settings = settings
        self.on_error = on_error
        self._keep = redis.register_script(_KEEP)

    # -- writing ----------------------------------------------------------------------

    @property
    def settings(self) -> ArchiveSettings:
        """The settings in force: read through the accessor, so a reload applies at once."""
        return self._settings()

    async def keep(self, entries: Sequence[Entry], *, now: datetime) -> bool:
        """Archive a poll's entries (as the detectors saw them). Never raises: False when
        the write failed (logged, and counted through `on_error`)."""
        if not entries or not self.settings.enabled:
            return True
        args: list[str | bytes | float | int] = [
            now.timestamp(), now.timestamp() - self.settings.window,
            self.settings.max_entries, int(self.settings.window * 1000), MAX_TRIM]
        for entry in entries:
            item = ArchivedEntry(entry_id(entry), entry, now)
            args += [item.id, encode(item)]
        try:
            async with asyncio.timeout(WRITE_TIMEOUT):
                await self._keep(keys=[self.keys.archive_entries(), self.keys.archive_index()],
                                 args=args)
        except Exception as exc:  # the archive is a convenience: the pipeline goes on
            log.warning("could not archive entries: %s", str(exc) or type(exc).__name__,
                        extra={"feed": entries[0].feed_id, "entries": len(entries)})
            if self.on_error is not None:
                self.on_error()
            return False
        return True

    # -- reading ----------------------------------------------------------------------
    async def count(self, since: datetime | None = None) -> int:
        low = since.timestamp() if since is not None else "-inf"
        return int(await self.redis.zcount(self.keys.archive_index(), low, "+inf"))

    async def ids(self, since: datetime | None = None, *, newest_first: bool = False
                  ) -> list[str]:
        """The archive ids polled since `since`, in polling order (a snapshot)."""
        low = since.timestamp() if since is not None else "-inf"
        if newest_first:
            raw = await self.redis.zrevrangebyscore(self.keys.archive_index(), "+inf", low)
        else:
            raw = await self.redis.zrangebyscore(self.keys.archive_index(), low, "+inf")
        return [text(r) for r in raw]

    async def get_many(self, ids: Sequence[str]) -> list[ArchivedEntry]:
        """The entries of `ids` that are still archived and readable, in that order."""
        if not ids:
            return []
        blobs = await self.redis.hmget(self.keys.archive_entries(), list(ids))
        out = []
        for archive_id, blob in zip(ids, blobs, strict=True):
            if blob is None:
                continue  # trimmed since the ids were read
            try:
                # eventwatch's clients never decode replies: a blob is bytes
                out.append(decode(archive_id, cast(bytes, blob)))
            except UnreadableEntry as exc:
                log.warning("skipping an archived entry: %s", exc)
        return out

    async def get(self, archive_id: str) -> ArchivedEntry | None:
        found = await self.get_many([archive_id])
        return found[0] if found else None

    async def batches(self, since: datetime | None = None, *, size: int = READ_BATCH
                      ) -> AsyncIterator[list[ArchivedEntry]]:
        """Every entry polled since `since`, oldest first, `size` at a time."""
        ids = await self.ids(since)
        for start in range(0, len(ids), size):
            batch = await self.get_many(ids[start:start + size])
            if batch:
                yield batch

    async def search(self, query: str = "", *, offset: int = 0, limit: int = 50,
                     since: datetime | None = None) -> tuple[list[ArchivedEntry], bool]:
        """Newest first, entries whose title or text contains `query` (case-insensitive);
        (the page, whether more follow)."""
        needle = query.casefold().strip()
        page: list[ArchivedEntry] = []
        skipped = 0
        ids = await self.ids(since, newest_first=True)
        for start in range(0, len(ids), READ_BATCH):
            for item in await self.get_many(ids[start:start + READ_BATCH]):
                if needle and needle not in (item.entry.title + "\n" + item.entry.text
                                             ).casefold():
                    continue
                if skipped < offset:
                    skipped += 1
                    continue
                if len(page) == limit:
                    return page, True
                page.append(item)
        return page, False
