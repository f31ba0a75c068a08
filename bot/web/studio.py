"""The rule studio: write a rule, check it as you type, try it on an article, backtest it.

Its JSON API (every call behind the token, none writes anything):
- POST /api/validate {name, yaml}: the errors of `eventwatch check` for that file;
- POST /api/explain {name, yaml, title, text, language}: detections and explanations;
- POST /api/backtest {name, yaml, since}: the backtest over the archive; its hits are
  paged with GET /api/backtest/{id}?kind=hits|lost&offset=&limit=;
- GET /api/archive?q=&offset=&limit=, GET /api/archive/{id}: pick an archived article;
- GET /api/rulefiles, GET /api/rulefile?path=: the installed rule files, to start from.
Compiling takes ~0.2 s and a backtest seconds: both run off the event loop, compiled
rules are cached by their text, and one backtest runs at a time.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from bot.backtest.report import count_json, entry_json, hit_json, story_json, summary_json
from bot.backtest.run import parse_since, run_backtest
from bot.backtest.types import BacktestResult
from bot.config.loader import LoadedRules, RuleText, load_rules
from bot.types import detection_json
from bot.web.explanation import explanation_view
from bot.web.render import json_response, page
from bot.web.types import WebServices
from detectors.types import Document

K = TypeVar("K")
V = TypeVar("V")

MAX_YAML = 200_000  # characters of a rule file
MAX_ARTICLE = 200_000
STORIES_SHOWN = 200
PAGE_MAX = 100
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}\.ya?ml$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")

TEMPLATE = """\
# A watch rule (docs/rules.md). Errors show as you type;
# paste an article to see what matches, then run a backtest.
rules:
  - id: my-rule
    title: {en: My rule}
    severity: medium
    countries: watch
    terms:
      event:
        en: [detain*, arrest*]
        ru: [задерж*]
    match:
      - all: [event]
"""


class _LRU(OrderedDict[K, V]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: K, value: V) -> V:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value


class BadRequest(web.HTTPBadRequest):
    def __init__(self, message: str) -> None:
        super().__init__(text=json.dumps({"error": message}), content_type="application/json")


def not_found(message: str) -> web.HTTPNotFound:
    return web.HTTPNotFound(text=json.dumps({"error": message}), content_type="application/json")


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise BadRequest("expected a JSON object") from None
    if not isinstance(data, dict):
        raise BadRequest("expected a JSON object")
    return data


def _text(data: dict[str, Any], key: str, limit: int, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string")
    if len(value) > limit:
        raise BadRequest(f"{key} is longer than {limit:,} characters")
    return value


def _int(request: web.Request, key: str, default: int, high: int) -> int:
    try:
        return max(0, min(high, int(request.query.get(key, default))))
    except ValueError:
        raise BadRequest(f"{key} must be a number") from None


def error_json(error: Any) -> dict[str, Any]:
    return {"path": error.path, "line": error.line, "key": error.key,
            "message": error.message, "text": str(error)}


class Studio:
    def __init__(self, services: WebServices) -> None:
        self.services = services
        self._compiled: _LRU[str, LoadedRules] = _LRU(16)
        self._results: _LRU[str, BacktestResult] = _LRU(8)
        self._backtest = asyncio.Lock()

    async def page(self, request: web.Request) -> web.Response:
        config = self.services.config()
        archived = await self.services.archive.count()
        return page("studio.html", nav="studio", template=TEMPLATE,
                    window_days=config.settings.archive.window / 86400, archived=archived,
                    installed=config.rules.rule_ids)

    # -- rules ------------------------------------------------------------------------
    async def _rules(self, data: dict[str, Any]) -> tuple[str, LoadedRules]:
        name = _text(data, "name", 100, "rule.yaml").strip() or "rule.yaml"
        if not _NAME.match(name):
            raise BadRequest("name: a file name such as my-rule.yaml")
        text = _text(data, "yaml", MAX_YAML)
        watch = self.services.config().settings.watch
        key = hashlib.sha256(f"{name}\0{','.join(watch)}\0{text}".encode()).hexdigest()
        loaded = self._compiled.get(key)
        if loaded is None:
            loaded = await asyncio.to_thread(
                load_rules, [RuleText(name, text)], watch=watch, run_examples=True)
            self._compiled.put(key, loaded)
        return name, loaded

    def _verdict(self, loaded: LoadedRules) -> dict[str, Any]:
        installed = set(self.services.config().rules.rule_ids)
        ids = loaded.rules.rule_ids if loaded.rules is not None else ()
        return {"ok": not loaded.errors, "compiled": loaded.rules is not None,
                "errors": [error_json(e) for e in loaded.errors], "rules": list(ids),
                "replaces": [r for r in ids if r in installed]}

    async def validate(self, request: web.Request) -> web.Response:
        _, loaded = await self._rules(await _body(request))
        return json_response(self._verdict(loaded))

    async def explain(self, request: web.Request) -> web.Response:
        data = await _body(request)
        _, loaded = await self._rules(data)
        out = self._verdict(loaded)
        title, text = _text(data, "title", MAX_ARTICLE), _text(data, "text", MAX_ARTICLE)
        language = _text(data, "language", 8).strip().lower() or None
        if language is not None and not _LANGUAGE.match(language):
            raise BadRequest("language: two letters, or empty to guess")
        rules = loaded.rules
        if rules is not None and (title.strip() or text.strip()):
            doc = Document(title=title, text=text, language=language)
            detections, explanations = await asyncio.to_thread(
                lambda: (rules.detect(doc), rules.explain(doc)))
            out["events"] = [detection_json(d) for d in detections]
            out["view"] = explanation_view(explanations, title, text)
        return json_response(out)

    # -- backtest ---------------------------------------------------------------------
    async def backtest(self, request: web.Request) -> web.Response:
        data = await _body(request)
        _, loaded = await self._rules(data)
        verdict = self._verdict(loaded)
        if loaded.rules is None:
            return json_response(verdict, status=422)
        config = self.services.config()
        now = datetime.now(UTC)
        try:
            since = parse_since(_text(data, "since", 40, "") or
                                f"{config.settings.archive.window}s", now=now)
        except ValueError as exc:
            raise BadRequest(f"since: {exc}") from None
        async with self._backtest:
            result = await run_backtest(self.services.archive, loaded.rules, config.rules,
                                        config.settings.stories, since=since)
        result_id = secrets.token_urlsafe(12)
        self._results.put(result_id, result)
        return json_response({
            **verdict, "id": result_id, "summary": summary_json(result),
            "by_rule": [count_json("rule", c) for c in result.by_rule],
            "by_country": [count_json("country", c) for c in result.by_country],
            "stories": [story_json(g) for g in result.stories[:STORIES_SHOWN]],
        })

    async def backtest_page(self, request: web.Request) -> web.Response:
        result = self._results.get(request.match_info["id"])
        if result is None:
            raise not_found("this backtest is no longer kept: run it again")
        kind = request.query.get("kind", "hits")
        items = result.lost if kind == "lost" else result.hits
        offset = _int(request, "offset", 0, len(items))
        limit = _int(request, "limit", 20, PAGE_MAX)
        return json_response({"total": len(items), "offset": offset,
                              "items": [hit_json(h) for h in items[offset:offset + limit]]})

    # -- the archive and the installed files ---------------------------------------------
    async def archive_list(self, request: web.Request) -> web.Response:
        query = request.query.get("q", "")[:200]
        offset = _int(request, "offset", 0, 1_000_000)
        limit = _int(request, "limit", 20, PAGE_MAX)
        found, more = await self.services.archive.search(query, offset=offset, limit=limit)
        return json_response({"more": more, "items": [
            {**entry_json(a), "snippet": " ".join(a.entry.text.split())[:200]} for a in found]})

    async def archive_entry(self, request: web.Request) -> web.Response:
        item = await self.services.archive.get(request.match_info["id"])
        if item is None:
            raise not_found("not in the archive")
        return json_response({**entry_json(item), "text": item.entry.text})

    def _rule_files(self) -> list[str]:
        return sorted({r.source for r in self.services.config().rules.rules})

    async def rule_files(self, request: web.Request) -> web.Response:
        return json_response({"files": [{"path": p, "name": Path(p).name}
                                        for p in self._rule_files()]})

    async def rule_file(self, request: web.Request) -> web.Response:
        path = request.query.get("path", "")
        if path not in self._rule_files():  # only the files the config loaded
            raise not_found("not an installed rule file")
        try:
            text = await asyncio.to_thread(Path(path).read_text, encoding="utf-8")
        except OSError as exc:
            raise not_found("cannot read it") from exc
        return json_response({"path": path, "name": Path(path).name, "yaml": text})
