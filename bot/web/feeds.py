"""The feeds page: `eventwatch feeds` as a table, the feeds that need attention first."""

from __future__ import annotations

from aiohttp import web

from bot.feeds.health import FeedHealth
from bot.urls import is_http_url
from bot.web.render import page
from bot.web.types import WebServices

# dead, then failing, then never answered, then never polled, then fine
_ORDER = {"dead": 0, "failing": 1, "new": 3, "ok": 4}


def attention(row: FeedHealth) -> int:
    return 2 if row.never_answered and row.status != "dead" else _ORDER.get(row.status, 5)


async def feeds_page(services: WebServices, request: web.Request) -> web.Response:
    rows = sorted(await services.feed_health(), key=attention)  # stable: config order within
    counts = {s: sum(1 for r in rows if r.status == s) for s in ("ok", "failing", "dead", "new")}
    return page("feeds.html", nav="feeds", rows=rows, counts=counts,
                silent=sum(1 for r in rows if r.never_answered), linkable=is_http_url)
