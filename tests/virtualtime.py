"""Virtual time for pacing and retry tests: a `Ticker` (and a `Clock`) that tests control.

`VirtualTime.sleep` parks the caller until virtual time reaches its deadline; nothing
waits on the wall clock. Time moves by `advance(seconds)`, or, inside `async with vt:`,
by itself: whenever the event loop has nothing ready to run, it jumps to the earliest
sleeper's deadline (never past one), so a paced run takes the virtual seconds its
limits call for and a few real milliseconds. Tests assert on `vt.now()`, never on time.
`horizon`: time never moves by itself to that second or past it, only by `advance` (a
loaded machine's idle gaps must not end a pause the test means to end itself); once
advanced past it, time moves by itself again.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import UTC, datetime, timedelta
from types import TracebackType

IDLE = 0.002  # real seconds the loop must stay idle before time jumps (lets I/O finish)


class VirtualTime:
    def __init__(self, start: datetime = datetime(2026, 12, 1, 9, tzinfo=UTC), *,
                 horizon: float | None = None) -> None:
        self._now = 0.0
        self.horizon = horizon
        self._start = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._driver: asyncio.Task[None] | None = None
        self.jumps = 0

    # -- Ticker ----------------------------------------------------------------------------
    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._order), future))
        await future

    # -- Clock (dates) ---------------------------------------------------------------------
    def utc(self) -> datetime:
        return self._start + timedelta(seconds=self._now)

    # -- moving time -----------------------------------------------------------------------
    def _fire_next(self, horizon: float | None = None) -> bool:
        """Jump to the earliest live sleeper's deadline (if before `horizon`) and wake every
        sleeper due then."""
        while self._sleepers and self._sleepers[0][2].done():  # cancelled sleepers
            heapq.heappop(self._sleepers)
        if not self._sleepers:
            return False
        due = self._sleepers[0][0]
        if horizon is not None and self._now < horizon <= due:
            return False
        self._now = max(self._now, due)
        self.jumps += 1
        while self._sleepers and self._sleepers[0][0] <= due:
            future = heapq.heappop(self._sleepers)[2]
            if not future.done():
                future.set_result(None)
        return True

    async def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`, waking the sleepers due on the way in order."""
        target = self._now + seconds
        while self._sleepers and self._sleepers[0][0] <= target:
            self._fire_next()
            for _ in range(5):
                await asyncio.sleep(0)
        self._now = max(self._now, target)
        await asyncio.sleep(0)

    async def _drive(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(IDLE)
            if not getattr(loop, "_ready", ()):  # nothing else to run: time may move
                self._fire_next(self.horizon)

    async def __aenter__(self) -> VirtualTime:
        self._driver = asyncio.create_task(self._drive(), name="virtual-time")
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._driver is not None:
            self._driver.cancel()
            await asyncio.gather(self._driver, return_exceptions=True)

