"""A local stand-in for the Telegram Bot API that behaves as Telegram does.

The real python-telegram-bot client talks to it over HTTP on 127.0.0.1
(`base_url=f"{fake.url}/bot"`) and gets Telegram's own reply shapes, so it
raises its real typed errors: `RetryAfter` (429 + retry_after), `Forbidden`
(403), `BadRequest` (400: invalid HTML, text too long), `ChatMigrated`
(400 + migrate_to_chat_id), `NetworkError` (502, connection reset).

Tests inject users' messages, commands and button presses, which the bot
receives through `getUpdates` long polling, and assert on what each chat got.

Every request is checked against the Bot API specification (`tests/botapispec.py`): a
request Telegram would refuse gets its 400 and is listed in `violations`, which the
`fake_bot_api` fixture requires to be empty at the end of each test. Its rate limits
run on `clock` (monotonic seconds), which tests may make virtual (tests/virtualtime.py).

Run it in its own process (the broadcast benchmark does):
    python tests/fakebotapi.py --port 8081 --overall 300
It then also answers `GET /_fake/stats` and `POST /_fake/config` (JSON).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import itertools
import json
import math
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

import pytest
from aiohttp import web

try:
    from tests.botapispec import BotApiSpec
except ModuleNotFoundError:  # run as a script (bench): tests/ itself is on sys.path
    from botapispec import BotApiSpec  # type: ignore[no-redef]

# PTB 22 warns (PTBDeprecationWarning) whenever RetryAfter.retry_after is read as an int;
# pytest turns warnings into errors, so opt in to the timedelta behaviour it will adopt.
os.environ.setdefault("PTB_TIMEDELTA", "1")

DEFAULT_TOKEN = "123456:TEST-fake-bot-api-token"
MAX_TEXT = 4096

# Telegram's HTML parse mode: the tags and, per tag, the attributes it accepts.
_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(), "strong": frozenset(), "i": frozenset(), "em": frozenset(),
    "u": frozenset(), "ins": frozenset(), "s": frozenset(), "strike": frozenset(),
    "del": frozenset(), "tg-spoiler": frozenset(), "span": frozenset({"class"}),
    "a": frozenset({"href"}), "code": frozenset({"class"}), "pre": frozenset(),
    "blockquote": frozenset({"expandable"}), "tg-emoji": frozenset({"emoji-id"}),
}
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTR = re.compile(
    r"\s*([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?"
)


class EntityParseError(ValueError):
    """Telegram's "can't parse entities: …" reason."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_entities(raw: str, base: int, text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "&":
            m = _ENTITY.match(raw, i)
            if not m:
                offset = len(text[: base + i].encode())
                raise EntityParseError(f"Unsupported HTML entity at byte offset {offset}")
            out.append(html.unescape(m.group(0)))
            i = m.end()
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


def parse_html(text: str) -> str:
    """Check `text` as Telegram's HTML parse mode does and return its plain text."""
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "<":
            offset = len(text[:i].encode())
            j = text.find(">", i)
            if j < 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
            inner = text[i + 1 : j]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
                if name != stack[-1]:
                    raise EntityParseError(
                        f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
                stack.pop()
            else:
                m = _TAG_NAME.match(inner)
                name = m.group(0).lower() if m else ""
                if name not in _TAGS:
                    raise EntityParseError(
                        f'Unsupported start tag "{name or inner[:10]}" at byte offset {offset}')
                _check_attrs(name, inner[m.end():] if m else "", i, text)
                stack.append(name)
            i = j + 1
        elif c == "&":
            m = _ENTITY.match(text, i)
            if not m:
                raise EntityParseError(
                    f"Unsupported HTML entity at byte offset {len(text[:i].encode())}")
            out.append(html.unescape(m.group(0)))
            i = m.end()
        else:
            out.append(c)
            i += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def _check_attrs(tag: str, rest: str, start: int, text: str) -> None:
    allowed = _TAGS[tag]
    pos = 0
    rest = rest.rstrip().removesuffix("/").rstrip()
    while pos < len(rest):
        m = _ATTR.match(rest, pos)
        if not m or m.end() == pos:
            raise EntityParseError(
                f"Unclosed start tag at byte offset {len(text[:start].encode())}")
        name = m.group(1).lower()
        value = next((g for g in m.group(2, 3, 4) if g is not None), None)
        if name not in allowed:
            raise EntityParseError(f'Unsupported attribute "{name}" in tag "{tag}"')
        if value is not None:
            decoded = _decode_entities(value, start, text)
            if tag == "span" and decoded != "tg-spoiler":
                raise EntityParseError('Tag "span" must have class "tg-spoiler" only')
        pos = m.end()


@dataclass(slots=True)
class SentMessage:
    chat_id: int
    message_id: int
    text: str  # as sent (with markup), updated by edits
    parse_mode: str | None
    reply_to: int | None = None
    link_preview_options: dict[str, Any] | None = None
    message_thread_id: int | None = None
    reply_markup: dict[str, Any] | None = None
    date: int = 0
    plain: str = ""  # the text after entity parsing
    edits: int = 0
    at: float = 0.0  # the fake's clock at delivery (monotonic seconds), for rates


@dataclass(slots=True)
class Edit:
    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    at: float


@dataclass(slots=True)
class _Bucket:
    """Token bucket: `rate` tokens per second, at most `burst` saved up."""

    rate: float
    burst: float
    tokens: float = -1.0
    at: float = 0.0

    def take(self, now: float) -> float:
        """Take one token; 0 when allowed, else the seconds until one is available."""
        if self.tokens < 0:
            self.tokens, self.at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1 - 1e-9:  # exact times (virtual clock) may miss by a rounding
            self.tokens = max(0.0, self.tokens - 1)
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass(slots=True)
class FakeConfig:
    overall_rate: float | None = None  # messages per second over all chats
    overall_burst: float | None = None  # default: one second's worth
    private_rate: float | None = 1.0  # per second per private chat; None disables
    private_burst: float = 3.0  # Telegram tolerates short bursts
    group_rate: float | None = 20.0  # per minute per group/supergroup/channel
    group_burst: float = 3.0
    latency: float = 0.0  # seconds added to every request
    down: str | None = None  # None, "502" or "reset"


class FakeBotAPI:
    """The fake server's state and behaviour; `start()` binds it to 127.0.0.1."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, username: str = "eventwatch_test_bot",
                 config: FakeConfig | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.token = token
        self.clock = clock
        self.spec = BotApiSpec.load()
        self.violations: list[str] = []  # requests real Telegram would refuse
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.config = config or FakeConfig()
        self.url = ""
        # what tests assert on
        self.messages: dict[int, list[SentMessage]] = defaultdict(list)
        self.edits: list[Edit] = []
        self.callback_answers: list[dict[str, Any]] = []
        self.deleted: list[tuple[int, int]] = []
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.requests: Counter[str] = Counter()
        self.count_429 = 0
        self.rejected: list[tuple[str, int | None, int, str]] = []  # method, chat, code, desc
        self.webhook: dict[str, Any] | None = None  # the last setWebhook's parameters
        # behaviours
        self.blocked: dict[int, str] = {}
        self.migrated: dict[int, int] = {}
        self.admins: dict[int, list[int]] = {}
        self.chat_types: dict[int, str] = {}
        self._forced: dict[tuple[str, int | None], list[tuple[int, str, dict[str, Any]]]] = (
            defaultdict(list))
        # state
        self._message_ids: dict[int, itertools.count[int]] = defaultdict(
            lambda: itertools.count(1))
        self._update_ids = itertools.count(1)
        self._updates: list[dict[str, Any]] = []
        self._updates_changed = asyncio.Event()
        self._callback_ids = itertools.count(1)
        self._overall: _Bucket | None = None
        self._chat_buckets: dict[int, _Bucket] = {}
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._address: tuple[str, int] = ("127.0.0.1", 0)

    # -- lifecycle -------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/_fake/stats", self._stats)
        app.router.add_post("/_fake/config", self._set_config)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        real_port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self._site, self._address = site, (host, real_port)
        self.url = f"http://{host}:{real_port}"
        return self.url

    async def refuse(self) -> None:
        """Stop listening: new connections are refused until `resume()` (a hard outage)."""
        if self._site is not None:
            await self._site.stop()
            self._site = None
        if self._runner is not None and self._runner.server is not None:
            for conn in self._runner.server.connections:  # drop kept-alive connections too
                conn.force_close()

    async def resume(self) -> None:
        assert self._runner is not None
        if self._site is None:
            host, port = self._address
            self._site = web.TCPSite(self._runner, host, port, reuse_address=True)
            await self._site.start()

    async def stop(self) -> None:
        self._updates_changed.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """What PTB's `base_url` takes (it appends the token and method)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # -- configuration for tests --------------------------------------------
    def block(self, chat_id: int, reason: str = "bot was blocked by the user") -> None:
        self.blocked[chat_id] = reason

    def migrate(self, old_id: int, new_id: int) -> None:
        self.migrated[old_id] = new_id
        self.chat_types[new_id] = "supergroup"

    def set_admins(self, chat_id: int, user_ids: Iterable[int]) -> None:
        self.admins[chat_id] = list(user_ids)

    def set_rate_limits(self, *, overall: float | None = None, private: float | None = 1.0,
                        group: float | None = 20.0) -> None:
        self.config.overall_rate = overall
        self.config.private_rate = private
        self.config.group_rate = group
        self._overall = None
        self._chat_buckets.clear()

    def fail_next(self, method: str, *, chat_id: int | None = None, status: int = 502,
                  description: str = "Bad Gateway", times: int = 1,
                  parameters: dict[str, Any] | None = None) -> None:
        """The next `times` calls of `method` (for `chat_id`, or any chat) fail so."""
        for _ in range(times):
            self._forced[(method, chat_id)].append((status, description, parameters or {}))

    def flood(self, chat_id: int, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` sends to `chat_id` get a 429 with this retry_after."""
        self.fail_next("sendMessage", chat_id=chat_id, status=429,
                       description=f"Too Many Requests: retry after {retry_after}",
                       times=times, parameters={"retry_after": retry_after})

    def chat_type(self, chat_id: int) -> str:
        if chat_id in self.chat_types:
            return self.chat_types[chat_id]
        if chat_id > 0:
            return "private"
        return "supergroup" if str(chat_id).startswith("-100") else "group"

    # -- inspection -------------------------------------------------------
    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.messages.get(chat_id, [])]

    def plain_texts(self, chat_id: int) -> list[str]:
        return [m.plain for m in self.messages.get(chat_id, [])]

    def total_messages(self) -> int:
        return sum(len(v) for v in self.messages.values())

    def reset_records(self) -> None:
        self.messages.clear()
        self.edits.clear()
        self.requests.clear()
        self.count_429 = 0
        self.rejected.clear()

    # -- updates that tests inject --------------------------------------------
    def _user(self, user_id: int, language_code: str | None, first_name: str,
              username: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        if username:
            user["username"] = username
        return user

    def _chat(self, chat_id: int, chat_type: str, title: str | None,
              user: dict[str, Any]) -> dict[str, Any]:
        self.chat_types.setdefault(chat_id, chat_type)
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        return {"id": chat_id, "type": chat_type, "title": title or f"Group {chat_id}"}

    def _push(self, update: dict[str, Any]) -> dict[str, Any]:
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._updates_changed.set()
        return update

    def user_message(self, text: str, *, user_id: int = 1001, chat_id: int | None = None,
                     chat_type: str = "private", language_code: str | None = "en",
                     first_name: str = "Test", username: str | None = None,
                     title: str | None = None, message_thread_id: int | None = None
                     ) -> dict[str, Any]:
        """Inject a text message (a command when it starts with "/")."""
        chat_id = user_id if chat_id is None else chat_id
        user = self._user(user_id, language_code, first_name, username)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat_id]),
            "date": int(time.time()),
            "chat": self._chat(chat_id, chat_type, title, user),
            "text": text,
        }
        if chat_type != "channel":
            message["from"] = user
        if message_thread_id is not None:
            message["message_thread_id"] = message_thread_id
            message["is_topic_message"] = True
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        key = "channel_post" if chat_type == "channel" else "message"
        return self._push({key: message})

    def command(self, command: str, *args: str, **kwargs: Any) -> dict[str, Any]:
        """Inject "/command arg …" (the slash is optional in `command`)."""
        text = " ".join([command if command.startswith("/") else f"/{command}", *args])
        return self.user_message(text, **kwargs)

    def raw_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Inject any update as Telegram would send it (my_chat_member, service messages…);
        the update_id is added here."""
        return self._push(update)

    def press(self, data: str, *, user_id: int = 1001, chat_id: int | None = None,
              message_id: int | None = None, chat_type: str = "private",
              language_code: str | None = "en", first_name: str = "Test") -> dict[str, Any]:
        """Inject a button press on one of the bot's messages (the last one by default)."""
        chat_id = user_id if chat_id is None else chat_id
        user = self._user(user_id, language_code, first_name, None)
        sent = self.messages.get(chat_id, [])
        target = next((m for m in sent if m.message_id == message_id), None) if message_id else (
            sent[-1] if sent else None)
        msg: dict[str, Any] = {
            "message_id": target.message_id if target else (message_id or 1),
            "date": target.date if target else int(time.time()),
            "chat": self._chat(chat_id, chat_type, None, user),
            "from": self._me(),
            "text": target.plain if target else "",
        }
        if target and target.reply_markup:
            msg["reply_markup"] = target.reply_markup
        return self._push({"callback_query": {
            "id": str(next(self._callback_ids)), "from": user, "message": msg,
            "chat_instance": str(chat_id), "data": data,
        }})

    # -- HTTP -------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.json()
                params.update(body or {})
                return params
            post = await request.post()
            for k, v in post.items():
                params[k] = v if isinstance(v, str) else getattr(v, "file", v)
        # PTB JSON-encodes every form value except strings: decode what decodes.
        for k, v in list(params.items()):
            if isinstance(v, str) and k not in _STRING_PARAMS:
                with contextlib.suppress(ValueError):
                    params[k] = json.loads(v)
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        self.requests[method] += 1
        if self.config.latency:
            await asyncio.sleep(self.config.latency)
        if self.config.down == "reset":
            transport = request.transport
            if transport is not None:
                transport.abort()
            return web.Response(status=502)
        if self.config.down:
            return self._error(502, "Bad Gateway", method=method)
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized", method=method)
        try:
            params = await self._params(request)
        except ConnectionResetError:  # the client went away (a killed sender)
            return web.Response(status=400)
        chat = params.get("chat_id")
        chat_id = int(chat) if isinstance(chat, int) or (
            isinstance(chat, str) and chat.lstrip("-").isdigit()) else None
        problems = self.spec.check(method, params)
        if problems:
            self.violations += problems
            return self._error(404 if "no such method" in problems[0] else 400,
                               f"Bad Request: {problems[0]}", method=method, chat_id=chat_id)
        forced = self._forced.get((method, chat_id)) or self._forced.get((method, None))
        if forced:
            status, description, parameters = forced.pop(0)
            return self._error(status, description, parameters or None, method=method,
                               chat_id=chat_id)
        if method.lower() in _ACCEPTED:
            return web.json_response({"ok": True, "result": True})
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found", method=method)
        try:
            result = await handler(params)
        except _ApiError as exc:
            return self._error(exc.code, exc.description, exc.parameters, method=method,
                               chat_id=chat_id)
        return web.json_response({"ok": True, "result": result})

    def _error(self, code: int, description: str, parameters: dict[str, Any] | None = None,
               *, method: str = "", chat_id: int | None = None) -> web.Response:
        if code == 429:
            self.count_429 += 1
        self.rejected.append((method, chat_id, code, description))
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response({
            "messages": {str(c): len(v) for c, v in self.messages.items()},
            "total": self.total_messages(),
            "count_429": self.count_429,
            "requests": dict(self.requests),
            "first_at": min((m.at for v in self.messages.values() for m in v), default=None),
            "last_at": max((m.at for v in self.messages.values() for m in v), default=None),
        })

    async def _set_config(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.pop("reset_records", False):
            self.reset_records()
        for k, v in body.items():
            if not hasattr(self.config, k):
                return web.json_response({"ok": False, "description": f"unknown {k}"}, status=400)
            setattr(self.config, k, v)
        self._overall = None
        self._chat_buckets.clear()
        return web.json_response({"ok": True, "result": asdict(self.config)})

    # -- checks shared by the send methods -------------------------------------
    def _target(self, params: dict[str, Any]) -> int:
        chat = params.get("chat_id")
        if chat is None or chat == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(chat)
        except (TypeError, ValueError):
            raise _ApiError(400, "Bad Request: chat not found") from None
        if chat_id in self.migrated:
            raise _ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                            {"migrate_to_chat_id": self.migrated[chat_id]})
        if chat_id in self.blocked:
            raise _ApiError(403, f"Forbidden: {self.blocked[chat_id]}")
        return chat_id

    def _rate_limit(self, chat_id: int) -> None:
        now = self.clock()
        cfg = self.config
        waits: list[float] = []
        if cfg.overall_rate:
            if self._overall is None:
                self._overall = _Bucket(cfg.overall_rate, cfg.overall_burst or cfg.overall_rate)
            waits.append(self._overall.take(now))
        is_private = self.chat_type(chat_id) == "private"
        rate = cfg.private_rate if is_private else (
            cfg.group_rate / 60 if cfg.group_rate else None)
        if rate:
            bucket = self._chat_buckets.get(chat_id)
            if bucket is None:
                burst = cfg.private_burst if is_private else cfg.group_burst
                bucket = self._chat_buckets[chat_id] = _Bucket(rate, burst)
            waits.append(bucket.take(now))
        wait = max(waits, default=0.0)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise _ApiError(429, f"Too Many Requests: retry after {retry_after}",
                            {"retry_after": retry_after})

    def _text(self, params: dict[str, Any]) -> tuple[str, str]:
        text = params.get("text")
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        mode = params.get("parse_mode")
        if isinstance(mode, str) and mode.upper() == "HTML":
            try:
                plain = parse_html(text)
            except EntityParseError as exc:
                raise _ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        elif mode:
            plain = text  # MarkdownV2 is not checked here: eventwatch sends HTML
        else:
            plain = text
        if not plain.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain.strip()) > MAX_TEXT:
            self.violations.append(f"text: {utf16_len(plain.strip())} > {MAX_TEXT} after "
                                   "entity parsing")
            raise _ApiError(400, "Bad Request: message is too long")
        return text, plain

    def _me(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": "eventwatch",
                "username": self.username, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": False}

    def _message_json(self, m: SentMessage, *, edit_date: int | None = None) -> dict[str, Any]:
        ctype = self.chat_type(m.chat_id)
        chat: dict[str, Any] = {"id": m.chat_id, "type": ctype}
        if ctype == "private":
            chat["first_name"] = "Test"
        else:
            chat["title"] = f"Group {m.chat_id}"
        out: dict[str, Any] = {"message_id": m.message_id, "date": m.date, "chat": chat,
                               "text": m.plain}
        if ctype != "channel":
            out["from"] = self._me()
        if m.message_thread_id is not None:
            out["message_thread_id"] = m.message_thread_id
        if m.reply_markup:
            out["reply_markup"] = m.reply_markup
        if edit_date:
            out["edit_date"] = edit_date
        return out

    # -- methods ------------------------------------------------------------
    async def _m_getme(self, params: dict[str, Any]) -> Any:
        return self._me()

    async def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = dict(params)  # what tests assert on: url, secret_token, …
        return True

    async def _m_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    async def _m_getupdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:  # confirms every update before it
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while True:
            ready = [u for u in self._updates if u["update_id"] >= offset][:limit]
            left = deadline - time.monotonic()
            if ready or left <= 0:
                return ready
            self._updates_changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._updates_changed.wait(), timeout=left)
            if self._runner is None:
                return []

    async def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        text, plain = self._text(params)
        self._rate_limit(chat_id)
        reply = params.get("reply_parameters")
        reply_to = None
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            reply_to = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            reply_to = int(params["reply_to_message_id"])
        if reply_to is not None and not any(
                m.message_id == reply_to for m in self.messages.get(chat_id, [])):
            if not allow_missing:
                raise _ApiError(400, "Bad Request: message to be replied not found")
            reply_to = None
        thread = params.get("message_thread_id")
        m = SentMessage(
            chat_id=chat_id, message_id=next(self._message_ids[chat_id]), text=text,
            parse_mode=params.get("parse_mode"), reply_to=reply_to,
            link_preview_options=params.get("link_preview_options"),
            message_thread_id=int(thread) if thread is not None else None,
            reply_markup=params.get("reply_markup"), date=int(time.time()), plain=plain,
            at=self.clock(),
        )
        self.messages[chat_id].append(m)
        return self._message_json(m)

    def _editable(self, params: dict[str, Any]) -> tuple[int, int, SentMessage]:
        chat_id = self._target(params)
        message_id = int(params.get("message_id") or 0)
        m = next((x for x in self.messages.get(chat_id, []) if x.message_id == message_id), None)
        if m is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return chat_id, message_id, m

    async def _m_editmessagetext(self, params: dict[str, Any]) -> Any:
        if params.get("inline_message_id"):
            return True
        chat_id, message_id, m = self._editable(params)
        text, plain = self._text(params)
        self._rate_limit(chat_id)
        markup = params.get("reply_markup")
        if text == m.text and markup == m.reply_markup:
            raise _ApiError(400, "Bad Request: message is not modified: specified new message "
                            "content and reply markup are exactly the same as a current "
                            "content and reply markup of the message")
        m.text, m.plain, m.parse_mode = text, plain, params.get("parse_mode")
        m.reply_markup = markup
        m.edits += 1
        if "link_preview_options" in params:
            m.link_preview_options = params["link_preview_options"]
        self.edits.append(Edit(chat_id, message_id, text, m.parse_mode, self.clock()))
        return self._message_json(m, edit_date=int(time.time()))

    async def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        if params.get("inline_message_id"):
            return True
        *_, m = self._editable(params)
        markup = params.get("reply_markup")
        if markup == m.reply_markup:
            raise _ApiError(400, "Bad Request: message is not modified: specified new message "
                            "content and reply markup are exactly the same as a current "
                            "content and reply markup of the message")
        m.reply_markup = markup
        return self._message_json(m, edit_date=int(time.time()))

    async def _m_deletemessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        message_id = int(params.get("message_id") or 0)
        sent = self.messages.get(chat_id, [])
        if not any(m.message_id == message_id for m in sent):
            raise _ApiError(400, "Bad Request: message to delete not found")
        self.deleted.append((chat_id, message_id))
        self.messages[chat_id] = [m for m in sent if m.message_id != message_id]
        return True

    async def _m_sendchataction(self, params: dict[str, Any]) -> Any:
        self._target(params)
        return True

    async def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        query = str(params.get("callback_query_id"))
        if any(str(a.get("callback_query_id")) == query for a in self.callback_answers):
            self.violations.append(f"callback query {query} answered twice")
            raise _ApiError(400, "Bad Request: query is too old and response timeout expired "
                            "or query ID is invalid")
        self.callback_answers.append(dict(params))
        return True

    async def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        key = self._commands_key(params)
        self.commands[key] = list(params.get("commands") or [])
        return True

    async def _m_getmycommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(self._commands_key(params), [])

    async def _m_deletemycommands(self, params: dict[str, Any]) -> Any:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _commands_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        scope_key = scope["type"] if isinstance(scope, dict) else str(scope)
        if isinstance(scope, dict) and "chat_id" in scope:
            scope_key += f":{scope['chat_id']}"
        return scope_key, str(params.get("language_code") or "")

    def _member(self, chat_id: int, user_id: int) -> dict[str, Any]:
        admins = self.admins.get(chat_id, [])
        user = {"id": user_id, "is_bot": user_id == self.bot_id, "first_name": f"User{user_id}"}
        if admins and admins[0] == user_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        if user_id in admins:
            return {"status": "administrator", "user": user, "can_be_edited": False,
                    "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
                    "can_manage_video_chats": True, "can_restrict_members": True,
                    "can_promote_members": False, "can_change_info": True,
                    "can_invite_users": True, "can_post_stories": False,
                    "can_edit_stories": False, "can_delete_stories": False}
        return {"status": "member", "user": user}

    async def _m_getchatmember(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        return self._member(chat_id, int(params["user_id"]))

    async def _m_getchatadministrators(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        if self.chat_type(chat_id) == "private":
            raise _ApiError(400, "Bad Request: there are no administrators in the private chat")
        return [self._member(chat_id, u) for u in self.admins.get(chat_id, [])]

    async def _m_getchat(self, params: dict[str, Any]) -> Any:
        chat_id = self._target(params)
        ctype = self.chat_type(chat_id)
        chat: dict[str, Any] = {"id": chat_id, "type": ctype, "accent_color_id": 0,
                                "max_reaction_count": 11, "accepted_gift_types": {
                                    "unlimited_gifts": False, "limited_gifts": False,
                                    "unique_gifts": False, "premium_subscription": False}}
        chat["first_name" if ctype == "private" else "title"] = f"Chat {chat_id}"
        return chat


class _ApiError(Exception):
    def __init__(self, code: int, description: str,
                 parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


# Methods that only need to succeed: Telegram answers `true` and nothing is recorded.
_ACCEPTED = frozenset({"logout", "close", "deletewebhook", "setmydescription",
                       "setmyshortdescription", "setchatmenubutton"})

# Parameters that PTB sends as plain strings (not JSON-encoded): never decode them.
_STRING_PARAMS = frozenset({
    "text", "parse_mode", "caption", "callback_query_id", "language_code", "url",
    "inline_message_id", "emoji", "title", "description", "secret_token", "business_connection_id",
})


@pytest.fixture
async def fake_bot_api() -> AsyncIterator[FakeBotAPI]:
    """A fresh fake Bot API on 127.0.0.1 with an ephemeral port (`.url`, `.token`)."""
    fake = FakeBotAPI()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    assert not fake.violations, f"requests Telegram would refuse: {fake.violations}"


def _main() -> None:
    parser = argparse.ArgumentParser(description="fake Telegram Bot API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--overall", type=float, default=None, help="overall msg/s limit")
    parser.add_argument("--private", type=float, default=1.0, help="per private chat msg/s")
    parser.add_argument("--group", type=float, default=20.0, help="per group msg/min")
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()

    async def serve() -> None:
        fake = FakeBotAPI(args.token, config=FakeConfig(
            overall_rate=args.overall, private_rate=args.private or None,
            group_rate=args.group or None, latency=args.latency))
        url = await fake.start(args.host, args.port)
        print(url, flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    _main()
