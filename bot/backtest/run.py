"""Run a backtest over the archive: entries are read in batches and detected off the
event loop, so a running bot keeps answering while a week is replayed."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.archive.store import EntryArchive
from bot.backtest.engine import Backtester
from bot.backtest.types import BacktestResult
from bot.config.settings import StorySettings
from detectors.engine import RuleSet

_PERIOD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(value: str, *, now: datetime) -> datetime:
    """`7d`, `12h`, `30m`, `2w`, `90s` before `now`, or an ISO 8601 date or time (UTC
    unless it says otherwise). ValueError otherwise."""
    found = _PERIOD.match(value)
    if found:
        return now - timedelta(seconds=float(found.group(1)) * _UNIT[found.group(2)])
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r}: expected a period such as 7d, 12h, 30m, "
                         "or an ISO 8601 date") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


async def run_backtest(
    archive: EntryArchive, rules: RuleSet, installed: RuleSet | None,
    stories: StorySettings, *, since: datetime | None, explain: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BacktestResult:
    """Replay `rules` (against `installed`) over the entries polled since `since`."""
    until = datetime.now(UTC)
    tester = Backtester(rules, installed, explain=explain)
    async for batch in archive.batches(since):
        await asyncio.to_thread(tester.add, batch)
        if progress is not None:
            progress(len(batch))
    return await asyncio.to_thread(tester.result, stories, since=since, until=until)
