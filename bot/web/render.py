"""HTML from templates: jinja2 with autoescape on for every template.

Autoescaping is why jinja2 is here: titles, texts, URLs and error messages come from
feeds and users, and one forgotten `escape()` in hand-built HTML would be a hole.
Anything that must not be escaped has to be marked in the template (`|safe`), which
no template here does for outside data. Responses also carry a strict Content
Security Policy (scripts and styles only from this server, nothing inline), so an
injection that got through would still not run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import jinja2
from aiohttp import web

from bot.feeds.health import ago

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("bot.web", "templates"),
    autoescape=True,  # every template, whatever its name (.html, .svg)
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes a form POST's Origin "null"
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


def _ago(value: datetime | None) -> str:
    return ago(value, datetime.now(UTC))


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "-"


_ENV.filters["ago"] = _ago
_ENV.filters["when"] = _when
_ENV.filters["thousands"] = lambda n: f"{n:,}"


def render(name: str, **context: Any) -> str:
    return _ENV.get_template(name).render(**context)


def page(name: str, *, status: int = 200, **context: Any) -> web.Response:
    return web.Response(text=render(name, **context), status=status,
                        content_type="text/html", charset="utf-8", headers=HEADERS)


def json_response(data: Any, *, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, headers=HEADERS,
                             dumps=lambda d: json.dumps(d, ensure_ascii=False))
