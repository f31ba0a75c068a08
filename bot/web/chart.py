"""The chart page: events per day, per country and type, over the archive's window.

An event is a story: the installed rules are replayed over the archive (the backtest
engine, grouped by story as live), so the chart covers the whole window even when
stories themselves expire sooner. The replay costs seconds, so its result is kept for
`FRESH` seconds per rule set (a reload draws a fresh one). The SVG is drawn here, on
the server, into the page: no script and no outside asset.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from aiohttp import web
from markupsafe import Markup

from bot.backtest.run import run_backtest
from bot.backtest.types import BacktestResult, StoryGroup
from bot.web.render import page, render
from bot.web.types import WebServices

FRESH = 300.0  # seconds a replay is reused
MAX_COUNTRIES = 12
PALETTE = ("#3566a8", "#d2691e", "#2e8b57", "#b03a48", "#7a5ea8", "#b8860b", "#20808a",
           "#6b6b6b")
WIDTH, LEFT, RIGHT, ROW, GAP, TOP = 820, 64, 16, 72, 14, 8


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    label: str


@dataclass(frozen=True, slots=True)
class Panel:
    country: str
    total: int
    y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    days: tuple[date, ...]
    rules: tuple[tuple[str, str, str], ...]  # (rule id, title, color)
    panels: tuple[Panel, ...]
    counts: dict[tuple[str, date, str], int]  # (country, day, rule) → events
    width: int
    height: int
    day_x: tuple[float, ...]  # the centre of each day's column
    peak: int
    left: int = LEFT  # where the bars start (the country labels are left of it)
    row: int = ROW  # a panel's height


def event_day(group: StoryGroup, start: datetime) -> date:
    """The day an event was first reported; a story that an outlet dated before the
    window counts on the day it was first polled."""
    when = group.first if group.first >= start else min(h.item.seen for h in group.hits)
    return when.astimezone(UTC).date()


def build_chart(result: BacktestResult, titles: dict[str, str], *, start: datetime,
                end: datetime) -> Chart:
    days = tuple(start.date() + timedelta(days=i)
                 for i in range((end.date() - start.date()).days + 1))
    counts: Counter[tuple[str, date, str]] = Counter()
    for group in result.stories:
        day = event_day(group, start)
        for country in group.countries or ("-",):
            counts[(country, day, group.rule)] += 1
    per_country: Counter[str] = Counter()
    for (country, _, _), n in counts.items():
        per_country[country] += n
    countries = [c for c, _ in sorted(per_country.items(), key=lambda kv: (-kv[1], kv[0]))]
    rules = sorted({rule for _, _, rule in counts})
    colors = {rule: PALETTE[i % len(PALETTE)] for i, rule in enumerate(rules)}
    peak = max((sum(counts[(c, d, r)] for r in rules) for c in countries for d in days),
               default=0)
    column = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    panels = []
    for row, country in enumerate(countries[:MAX_COUNTRIES]):
        top = TOP + row * (ROW + GAP)
        bars = []
        for i, day in enumerate(days):
            base = float(top + ROW)
            for rule in rules:
                n = counts[(country, day, rule)]
                if not n:
                    continue
                height = ROW * n / peak
                base -= height
                bars.append(Bar(LEFT + i * column + column * 0.15, base, column * 0.7, height,
                                colors[rule],
                                f"{country} {day.isoformat()}: {n} × {titles.get(rule, rule)}"))
        panels.append(Panel(country, per_country[country], top, tuple(bars)))
    height = TOP + len(panels) * (ROW + GAP) + 24
    return Chart(days, tuple((r, titles.get(r, r), colors[r]) for r in rules), tuple(panels),
                 dict(counts), WIDTH, height,
                 tuple(LEFT + (i + 0.5) * column for i in range(len(days))), peak)


class ChartPage:
    def __init__(self, services: WebServices) -> None:
        self.services = services
        self._kept: tuple[int, float, BacktestResult, datetime] | None = None
        self._lock = asyncio.Lock()

    async def _replay(self) -> tuple[BacktestResult, datetime]:
        config = self.services.config()
        async with self._lock:
            kept = self._kept
            if kept and kept[0] == id(config.rules) and time.monotonic() - kept[1] < FRESH:
                return kept[2], kept[3]
            start = datetime.now(UTC) - timedelta(seconds=config.settings.archive.window)
            result = await run_backtest(self.services.archive, config.rules, None,
                                        config.settings.stories, since=start)
            self._kept = (id(config.rules), time.monotonic(), result, start)
            return result, start

    async def page(self, request: web.Request) -> web.Response:
        result, start = await self._replay()
        rules = self.services.config().rules
        titles = {r: rules.rule_title(r) for r in rules.rule_ids}
        chart = build_chart(result, titles, start=start, end=result.until)
        svg = Markup(render("chart.svg", chart=chart))  # autoescaped by its template
        return page("chart.html", nav="chart", chart=chart, svg=svg, result=result,
                    start=start)
