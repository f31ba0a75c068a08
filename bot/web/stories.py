"""The stories page: the open stories, newest activity first, with their outlets,
figures, countries and the alerts sent for each (from the outbox's delivery records)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from aiohttp import web

from bot.stories.decisions import alert_id
from bot.stories.types import Story
from bot.types import AlertKind
from bot.urls import is_http_url
from bot.web.render import page
from bot.web.types import WebServices

SHOWN = 50
KIND_NAMES = {AlertKind.NEW: "alert", AlertKind.UPDATE: "update",
              AlertKind.SOURCES: "“also reported by” edit"}


@dataclass(frozen=True, slots=True)
class SentAlert:
    kind: str
    version: int
    delivered: int  # chats that got it (a message id, or printed on the console)
    other: dict[str, int]  # other outcomes: held, forbidden, failed…
    changes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoryView:
    story: Story
    link: str | None
    rule_title: str
    severity: str
    alerts: tuple[SentAlert, ...]


def _delivered(value: str) -> bool:
    return value.isdigit() or value == "printed"


def _outcome(value: str) -> str:
    return value.split(":", 1)[0]


async def _alerts(services: WebServices, story: Story) -> tuple[SentAlert, ...]:
    versions = [(AlertKind.NEW, 0),
                *((AlertKind.UPDATE, v) for v in range(1, story.update_version + 1)),
                *((AlertKind.SOURCES, v) for v in range(1, story.edit_version + 1))]
    ids = [alert_id(story.id, kind, v) for kind, v in versions]
    stored = await services.outbox.get_alerts(ids)
    out = []
    for (kind, version), aid in zip(versions, ids, strict=True):
        records = await services.outbox.deliveries(aid)
        other = Counter(_outcome(v) for v in records.values() if not _delivered(v))
        alert = stored.get(aid)
        out.append(SentAlert(KIND_NAMES[kind], version,
                             sum(1 for v in records.values() if _delivered(v)), dict(other),
                             tuple(map(str, alert.changes)) if alert is not None else ()))
    return tuple(out)


async def stories_page(services: WebServices, request: web.Request) -> web.Response:
    rules = services.config().rules
    views = []
    for story in await services.stories.recent(SHOWN):
        try:
            title = rules.rule_title(story.rule)
        except KeyError:  # a rule removed since
            title = story.rule
        views.append(StoryView(story, story.url if is_http_url(story.url) else None, title,
                               story.severity.label, await _alerts(services, story)))
    views.sort(key=lambda v: v.story.last, reverse=True)
    return page("stories.html", nav="stories", stories=views, shown=SHOWN)
