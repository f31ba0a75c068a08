"""Users' commands and button presses, played through the real PTB Application.

The bot polls a local fake Bot API (tests/fakebotapi.py) and keeps its subscribers in
a real Redis; each test asserts on what each chat received and on the stored state.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis.asyncio as aioredis
from pydantic import ValidationError

from bot.config import yamlsource
from bot.config.settings import Settings
from bot.delivery.subscribers import SubscriberStore
from bot.errors import ConfigError
from bot.store.keys import Keys
from bot.telegram.app import BotApp, build_application
from bot.telegram.types import BotServices, StatusReport, StorySummary
from tests.botapp import RULES, WATCH, polling
from tests.fakebotapi import FakeBotAPI, SentMessage, fake_bot_api  # noqa: F401
from tests.waiting import stored, until

ADMIN = 9001
USER = 1001
T = TypeVar("T")
GROUP = -500
GROUP_ADMIN, MEMBER = 77, 78


@dataclass
class World:
    """The running bot, its fake Telegram, and the state behind its services."""

    fake: FakeBotAPI
    store: SubscriberStore
    app: BotApp
    config_dir: Path
    settings: Settings = field(default_factory=Settings)
    stories: list[StorySummary] = field(default_factory=list)
    latest_error: Exception | None = None

    async def ask(self, text: str, *, chat_id: int | None = None, **kw: Any) -> SentMessage:
        """Send a command as a user and return the bot's reply."""
        chat = kw.get("user_id", USER) if chat_id is None else chat_id
        before = len(self.fake.messages.get(chat, []))
        self.fake.user_message(text, chat_id=chat_id, **kw)
        await until(lambda: len(self.fake.messages.get(chat, [])) > before)
        return self.fake.messages[chat][-1]

    async def press(self, data: str, *, edit: bool = True, **kw: Any) -> dict[str, Any]:
        """Press a button on the bot's last message; return the callback answer."""
        answers, edits = len(self.fake.callback_answers), len(self.fake.edits)
        self.fake.press(data, **kw)
        await until(lambda: len(self.fake.callback_answers) > answers)
        if edit:
            await until(lambda: len(self.fake.edits) > edits)
        return self.fake.callback_answers[-1]


def buttons(message: SentMessage) -> list[tuple[str, str]]:
    """(label, callback_data) of every inline button, row by row."""
    assert message.reply_markup is not None
    return [(b["text"], b["callback_data"])
            for row in message.reply_markup["inline_keyboard"] for b in row]


def label_of(message: SentMessage, data: str) -> str:
    return next(text for text, d in buttons(message) if d == data)


def reload_from(directory: Path) -> Callable[[], Any]:
    """A reload that validates settings.yaml as the app does; errors come back as lines."""
    async def reload() -> list[str]:
        path = directory / "settings.yaml"
        try:
            source = yamlsource.load(path)
        except ConfigError as exc:
            return [str(exc)]
        try:
            Settings.model_validate(source.data or {})
        except ValidationError as exc:
            return [str(e) for e in source.validation_errors(exc)]
        return []
    return reload


@pytest.fixture
async def world(
    fake_bot_api: FakeBotAPI, redis_client: aioredis.Redis, keys: Keys,  # noqa: F811
    tmp_path: Path,
) -> AsyncIterator[World]:
    # Command replies are few; these tests are about what is said, not about flood limits.
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    store = SubscriberStore(redis_client, keys)
    holder: dict[str, World] = {}

    async def status() -> StatusReport:
        return StatusReport(feeds_total=12, feeds_ok=9, failing=("tass",),
                            dead=("kaktus", "old<feed>"), outbox_depth=4, alerts_24h=17,
                            last_poll=datetime(2026, 11, 25, 1, 2, tzinfo=UTC), outbox_pending=1)

    async def latest(n: int) -> Sequence[StorySummary]:
        if holder["w"].latest_error is not None:
            raise holder["w"].latest_error
        return holder["w"].stories[:n]

    services = BotServices(
        subscribers=store, rules=lambda: RULES, watch=lambda: WATCH,
        admins=lambda: frozenset({ADMIN}), status=status, reload=reload_from(tmp_path),
        latest=latest,
    )
    app = build_application(fake_bot_api.token, fake_bot_api.url, services)
    w = World(fake=fake_bot_api, store=store, app=app, config_dir=tmp_path)
    holder["w"] = w
    async with polling(app):
        yield w


async def test_start_subscribes_with_defaults(world: World) -> None:
    reply = await world.ask("/start")
    assert "Welcome" in reply.plain
    for rule in RULES:
        assert rule.title("en") in reply.plain
    assert "🇰🇿 Kazakhstan" in reply.plain and "🇷🇺 Russia" in reply.plain
    assert "instant" in reply.plain
    assert reply.parse_mode == "HTML"
    sub = await world.store.get(USER)
    assert sub is not None and sub.active
    assert sub.rules is None and sub.countries is None and sub.mode == "instant"
    assert sub.chat_type == "private" and sub.language == "en"
    assert await world.store.active_ids() == [USER]

    again = await world.ask("/start")
    assert "already subscribed" in again.plain


async def test_commands_registered_in_english_and_russian(world: World) -> None:
    en = world.fake.commands[("default", "")]
    ru = world.fake.commands[("default", "ru")]
    names = [c["command"] for c in en]
    assert names == ["start", "rules", "countries", "settings", "mute", "unmute", "latest",
                     "stop", "help"]
    assert [c["command"] for c in ru] == names
    assert dict((c["command"], c["description"]) for c in ru)["stop"].startswith("Отписаться")
    assert dict((c["command"], c["description"]) for c in en)["stop"].startswith("Unsubscribe")
    admin_menu = [c["command"] for c in world.fake.commands[(f"chat:{ADMIN}", "")]]
    assert {"status", "reload"} <= set(admin_menu)
    assert "status" not in names


async def test_rules_buttons_toggle_a_rule(world: World) -> None:
    await world.ask("/start")
    menu = await world.ask("/rules")
    assert [d for _, d in buttons(menu)] == [
        "r:t:mass-detention", "r:t:protest", "r:t:internet-shutdown", "r:+", "r:-"]
    assert label_of(menu, "r:t:protest") == "✅ Protests"

    answer = await world.press("r:t:protest")
    assert answer["text"] == "Protests: off"
    sub = await world.store.get(USER)
    assert sub is not None and sub.rules == frozenset({"mass-detention", "internet-shutdown"})
    edited = world.fake.messages[USER][-1]
    assert edited.edits == 1
    assert label_of(edited, "r:t:protest") == "▫️ Protests"
    assert label_of(edited, "r:t:mass-detention") == "✅ Mass detentions"

    await world.press("r:t:protest")
    sub = await world.store.get(USER)
    assert sub is not None and sub.rules is None  # everything on again: new rules included

    await world.press("r:-")
    sub = await world.store.get(USER)
    assert sub is not None and sub.rules == frozenset()
    assert "receive nothing" in world.fake.messages[USER][-1].plain


async def test_countries_buttons_toggle_with_flags(world: World) -> None:
    await world.ask("/start")
    menu = await world.ask("/countries")
    labels = [label for label, _ in buttons(menu)]
    assert "✅ 🇰🇿 Kazakhstan" in labels and "✅ 🇦🇲 Armenia" in labels
    answer = await world.press("c:t:RU")
    assert answer["text"] == "🇷🇺 Russia: off"
    sub = await world.store.get(USER)
    assert sub is not None and sub.countries == frozenset(WATCH) - {"RU"}
    assert label_of(world.fake.messages[USER][-1], "c:t:RU") == "▫️ 🇷🇺 Russia"
    # a stale button (a country no longer watched) changes nothing
    answer = await world.press("c:t:US", edit=False)
    assert "out of date" in answer["text"]
    sub = await world.store.get(USER)
    assert sub is not None and sub.countries == frozenset(WATCH) - {"RU"}


async def test_settings_mode_breaking_and_quiet_hours(world: World) -> None:
    await world.ask("/start")
    menu = await world.ask("/settings")
    assert "/settings quiet 22-07 Asia/Almaty" in menu.plain
    assert label_of(menu, "s:m:instant").startswith("●")

    await world.press("s:m:hourly")
    await world.press("s:b")
    sub = await world.store.get(USER)
    assert sub is not None and sub.mode == "hourly" and sub.breaking_only
    assert label_of(world.fake.messages[USER][-1], "s:m:hourly").startswith("●")

    reply = await world.ask("/settings quiet 22-07 Asia/Almaty")
    assert "22:00–07:00 (Asia/Almaty)" in reply.plain
    sub = await world.store.get(USER)
    assert sub is not None
    assert (sub.quiet_start, sub.quiet_end, sub.timezone) == (time(22), time(7), "Asia/Almaty")

    bad = await world.ask("/settings quiet 25-99")
    assert "not a time range" in bad.plain
    bad = await world.ask("/settings tz Mars/Olympus")
    assert "not a time zone" in bad.plain
    bad = await world.ask("/settings colour blue")
    assert "/settings mode hourly" in bad.plain

    await world.ask("/settings tz UTC+5")
    await world.ask("/settings daily")
    sub = await world.store.get(USER)
    assert sub is not None and sub.timezone == "Etc/GMT-5" and sub.mode == "daily"
    assert sub.quiet_start == time(22)  # changing the zone keeps the hours

    await world.ask("/settings")
    await world.press("s:q:off")
    sub = await world.store.get(USER)
    assert sub is not None and sub.quiet_start is None and sub.quiet_end is None


async def test_mute_and_unmute(world: World) -> None:
    await world.ask("/start")
    reply = await world.ask("/mute 2h")
    assert "Muted for 2 h" in reply.plain
    sub = await world.store.get(USER)
    assert sub is not None and sub.muted_until is not None
    left = sub.muted_until - datetime.now(UTC)
    assert timedelta(hours=1, minutes=59) < left <= timedelta(hours=2)

    bad = await world.ask("/mute soon")
    assert "not a duration" in bad.plain and "/mute 30m" in bad.plain
    sub2 = await world.store.get(USER)
    assert sub2 is not None and sub2.muted_until == sub.muted_until

    reply = await world.ask("/unmute")
    assert "back on" in reply.plain
    sub = await world.store.get(USER)
    assert sub is not None and sub.muted_until is None
    reply = await world.ask("/unmute")
    assert "not muted" in reply.plain

    usage = await world.ask("/mute")
    assert "For how long?" in usage.plain
    await world.press("m:86400")
    sub = await world.store.get(USER)
    assert sub is not None and sub.muted_until is not None
    assert sub.muted_until - datetime.now(UTC) > timedelta(hours=23)
    assert "Muted for 1 d" in world.fake.messages[USER][-1].plain


async def test_stop_then_start_restores_settings(world: World) -> None:
    await world.ask("/start")
    await world.ask("/rules")
    await world.press("r:t:mass-detention")
    await world.ask("/settings mode daily")

    reply = await world.ask("/stop")
    assert "settings are kept" in reply.plain
    assert await world.store.active_ids() == []
    sub = await world.store.get(USER)
    assert sub is not None and not sub.active

    reply = await world.ask("/start")
    assert "Welcome back" in reply.plain
    assert "daily digest" in reply.plain
    sub = await world.store.get(USER)
    assert sub is not None and sub.active and sub.mode == "daily"
    assert sub.rules == frozenset({"protest", "internet-shutdown"})
    assert await world.store.active_ids() == [USER]


async def test_russian_user_gets_russian_texts(world: World) -> None:
    reply = await world.ask("/start", language_code="ru")
    assert "Добро пожаловать" in reply.plain
    assert "Массовые задержания" in reply.plain and "🇰🇿 Казахстан" in reply.plain
    sub = await world.store.get(USER)
    assert sub is not None and sub.language == "ru"
    bad = await world.ask("/mute скоро", language_code="ru")
    assert "не длительность" in bad.plain
    reply = await world.ask("/mute 2ч", language_code="ru")
    assert "Пауза на 2 ч" in reply.plain
    menu = await world.ask("/countries", language_code="ru")
    assert "✅ 🇷🇺 Россия" in [label for label, _ in buttons(menu)]
    answer = await world.press("c:t:RU", language_code="ru")
    assert answer["text"] == "🇷🇺 Россия: выкл"


async def test_status_and_reload_are_for_admins_only(world: World) -> None:
    for command in ("/status", "/reload"):
        refused = await world.ask(command)
        assert "administrators" in refused.plain

    status = await world.ask("/status", user_id=ADMIN)
    text = status.plain
    assert "Feeds: 12 (9 healthy, 1 failing, 2 dead)" in text
    assert "kaktus" in text and "old<feed>" in text  # escaped in HTML, shown as is
    assert "Outbox: 4 not yet delivered (1 being sent)" in text
    assert "Alerts in the last 24 h: 17" in text
    assert "Subscribers: 0" in text

    (world.config_dir / "settings.yaml").write_text("watch: [KZ]\npoll:\n  interval: 5\n")
    broken = await world.ask("/reload", user_id=ADMIN)
    assert "old one keeps running" in broken.plain
    assert "settings.yaml:3" in broken.plain and "interval" in broken.plain

    (world.config_dir / "settings.yaml").write_text("watch: [KZ]\n")
    ok = await world.ask("/reload", user_id=ADMIN)
    assert "reloaded" in ok.plain


async def test_unknown_command_and_plain_text(world: World) -> None:
    reply = await world.ask("/frobnicate now")
    assert "I don't know /frobnicate" in reply.plain and "/mute" in reply.plain
    hint = await world.ask("hello bot")
    assert "/help" in hint.plain
    help_ = await world.ask("/help")
    assert "/countries" in help_.plain and "/status" not in help_.plain
    admin_help = await world.ask("/help", user_id=ADMIN)
    assert "/status" in admin_help.plain


async def test_in_a_group_only_admins_change_settings(world: World) -> None:
    world.fake.set_admins(GROUP, [GROUP_ADMIN])
    group: dict[str, Any] = {"chat_id": GROUP, "chat_type": "group"}
    refused = await world.ask("/start", user_id=MEMBER, **group)
    assert "Only this group's administrators" in refused.plain
    assert await world.store.get(GROUP) is None

    welcome = await world.ask("/start@eventwatch_test_bot", user_id=GROUP_ADMIN, **group)
    assert "Welcome" in welcome.plain
    sub = await world.store.get(GROUP)
    assert sub is not None and sub.chat_type == "group"

    menu = await world.ask("/rules", user_id=MEMBER, **group)  # looking is allowed
    assert buttons(menu)
    answer = await world.press("r:t:protest", user_id=MEMBER, edit=False, **group)
    assert answer.get("show_alert") is True and "administrators" in answer["text"]
    refused = await world.ask("/mute 1h", user_id=MEMBER, **group)
    assert "administrators" in refused.plain
    refused = await world.ask("/stop", user_id=MEMBER, **group)
    assert "administrators" in refused.plain
    sub = await world.store.get(GROUP)
    assert sub is not None and sub.active and sub.rules is None and sub.muted_until is None

    await world.press("r:t:protest", user_id=GROUP_ADMIN, **group)
    sub = await world.store.get(GROUP)
    assert sub is not None and sub.rules is not None and "protest" not in sub.rules
    # a bare unknown command in a group may be another bot's: no reply
    before = len(world.fake.messages[GROUP])
    world.fake.user_message("/otherbotcmd", user_id=MEMBER, **group)
    world.fake.user_message("/start@other_bot", user_id=GROUP_ADMIN, **group)
    reply = await world.ask("/help", user_id=MEMBER, **group)
    assert len(world.fake.messages[GROUP]) == before + 1 and "/rules" in reply.plain
    assert "In a group" in reply.plain
    unknown = await world.ask("/frob@eventwatch_test_bot", user_id=MEMBER, **group)
    assert "I don't know /frob" in unknown.plain
    # membership is asked once per (chat, user) and then cached
    assert world.fake.requests["getChatMember"] == 2


async def test_start_in_a_forum_topic_routes_alerts_there(world: World) -> None:
    chat = -1001234567890
    world.fake.set_admins(chat, [GROUP_ADMIN])
    reply = await world.ask("/start", user_id=GROUP_ADMIN, chat_id=chat,
                            chat_type="supergroup", message_thread_id=5)
    assert reply.message_thread_id == 5
    sub = await world.store.get(chat)
    assert sub is not None and sub.thread_id == 5 and sub.chat_type == "supergroup"


async def test_latest_lists_stories_escaped(world: World) -> None:
    empty = await world.ask("/latest")
    assert "No stories yet" in empty.plain
    now = datetime.now(UTC)
    world.stories = [
        StorySummary("s1", "Police detain <100> & more in Almaty", "https://ex.org/a?x=1&y=2",
                     "mass-detention", ("KZ",), now, outlets=3, breaking=True),
        StorySummary("s2", "Rally in Yerevan", None, "protest", ("AM",), now - timedelta(hours=1)),
        StorySummary("s3", "word & " * 400, None, "protest", ("RU",), now),  # a whole text
    ]
    reply = await world.ask("/latest")
    assert "Police detain <100> & more in Almaty" in reply.plain
    assert 'href="https://ex.org/a?x=1&amp;y=2"' in reply.text
    assert "Mass detentions · 3 outlets · breaking" in reply.plain
    assert "🇦🇲" in reply.plain and "Protests" in reply.plain
    assert reply.link_preview_options == {"is_disabled": True}
    assert "word & word" in reply.plain and "…" in reply.plain and len(reply.plain) < 1000


async def test_a_failing_handler_is_reported_and_the_bot_keeps_going(world: World) -> None:
    world.latest_error = RuntimeError("story store is down")
    reply = await world.ask("/latest")
    assert "Something went wrong" in reply.plain
    world.latest_error = None
    reply = await world.ask("/help")
    assert "/start" in reply.plain



def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "U", "language_code": "en"}


async def test_group_upgraded_to_supergroup_keeps_its_settings(world: World) -> None:
    world.fake.set_admins(GROUP, [GROUP_ADMIN])
    await world.ask("/start", user_id=GROUP_ADMIN, chat_id=GROUP, chat_type="group")
    await world.ask("/settings mode hourly", user_id=GROUP_ADMIN, chat_id=GROUP,
                    chat_type="group")
    new_id = -1009876543210
    world.fake.raw_update({"message": {
        "message_id": 50, "date": int(datetime.now(UTC).timestamp()),
        "chat": {"id": GROUP, "type": "group", "title": "G"}, "from": _user(GROUP_ADMIN),
        "migrate_to_chat_id": new_id}})
    await stored(lambda: world.store.get(new_id), lambda s: s is not None)
    moved = await world.store.get(new_id)
    assert moved is not None and moved.mode == "hourly" and moved.chat_type == "supergroup"
    assert await world.store.get(GROUP) is None
    assert await world.store.active_ids() == [new_id]


async def test_blocking_the_bot_deactivates_and_start_restores(world: World) -> None:
    await world.ask("/start")
    await world.ask("/settings breaking on")
    bot_user = {"id": world.app.bot.id, "is_bot": True, "first_name": "eventwatch"}
    world.fake.raw_update({"my_chat_member": {
        "chat": {"id": USER, "type": "private", "first_name": "U"}, "from": _user(USER),
        "date": int(datetime.now(UTC).timestamp()),
        "old_chat_member": {"status": "member", "user": bot_user},
        "new_chat_member": {"status": "kicked", "user": bot_user, "until_date": 0}}})
    await stored(world.store.active_ids, lambda ids: ids == [])
    sub = await world.store.get(USER)
    assert sub is not None and not sub.active and sub.deactivated_reason == "blocked"
    reply = await world.ask("/start")
    assert "Welcome back" in reply.plain
    sub = await world.store.get(USER)
    assert sub is not None and sub.active and sub.breaking_only


async def test_anonymous_group_admin_may_change_settings(world: World) -> None:
    world.fake.set_admins(GROUP, [GROUP_ADMIN])
    await world.ask("/start", user_id=GROUP_ADMIN, chat_id=GROUP, chat_type="group")
    before = len(world.fake.messages[GROUP])
    group_chat = {"id": GROUP, "type": "group", "title": "G"}
    world.fake.raw_update({"message": {
        "message_id": 60, "date": int(datetime.now(UTC).timestamp()), "chat": group_chat,
        "from": {"id": 1087968824, "is_bot": True, "first_name": "Group",
                 "username": "GroupAnonymousBot"},
        "sender_chat": group_chat, "text": "/stop",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}})
    await until(lambda: len(world.fake.messages[GROUP]) > before)
    assert "unsubscribed" in world.fake.messages[GROUP][-1].plain
    sub = await world.store.get(GROUP)
    assert sub is not None and not sub.active


async def test_a_failing_set_my_commands_does_not_stop_the_bot(
    fake_bot_api: FakeBotAPI, redis_client: aioredis.Redis, keys: Keys,  # noqa: F811
) -> None:
    fake_bot_api.set_rate_limits(overall=None, private=None, group=None)
    fake_bot_api.fail_next("setMyCommands", status=500, description="Internal Server Error",
                           times=10)

    async def nothing() -> list[str]:
        return []

    async def no_status() -> StatusReport:
        raise AssertionError("not called")

    async def no_stories(n: int) -> Sequence[StorySummary]:
        return []

    services = BotServices(
        subscribers=SubscriberStore(redis_client, keys), rules=lambda: RULES,
        watch=lambda: WATCH, admins=lambda: frozenset({ADMIN}), status=no_status,
        reload=nothing, latest=no_stories)
    app = build_application(fake_bot_api.token, fake_bot_api.url + "/", services)
    async with polling(app):
        w = World(fake=fake_bot_api, store=services.subscribers, app=app, config_dir=Path("."))
        reply = await w.ask("/help")
        assert "/start" in reply.plain
    assert fake_bot_api.requests["setMyCommands"] == 4  # default en, ru; the admin's en, ru
    assert not fake_bot_api.commands
