"""The fake Bot API, driven by the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
)
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from tests.fakebotapi import EntityParseError, FakeBotAPI, parse_html


async def test_get_me_and_send_message_are_recorded(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    assert bot.username == "eventwatch_test_bot"
    msg = await bot.send_message(
        42, "<b>Hi</b> &amp; bye", parse_mode="HTML",
        link_preview_options=LinkPreviewOptions(url="https://example.org/a"))
    second = await bot.send_message(42, "again", reply_to_message_id=msg.message_id)
    assert (msg.message_id, second.message_id) == (1, 2)
    assert msg.text == "Hi & bye"
    sent = fake_bot_api.messages[42]
    assert [m.text for m in sent] == ["<b>Hi</b> &amp; bye", "again"]
    assert sent[0].parse_mode == "HTML"
    assert sent[0].link_preview_options == {"url": "https://example.org/a"}
    assert sent[1].reply_to == 1
    assert fake_bot_api.requests["sendMessage"] == 2


async def test_blocked_chat_raises_forbidden(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    fake_bot_api.block(7)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(7, "hello")
    assert fake_bot_api.messages.get(7) is None


async def test_migrated_group_raises_chat_migrated(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    fake_bot_api.migrate(-55, -1001234567890123)
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(-55, "hello")
    assert info.value.new_chat_id == -1001234567890123
    await bot.send_message(-1001234567890123, "hello")
    assert fake_bot_api.texts(-1001234567890123) == ["hello"]


async def test_invalid_html_raises_bad_request(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    for bad in ("<p>x</p>", "<b>x", "a < b", "Tom & Jerry", "<a href='x' onclick='y'>x</a>",
                "<b>x</i>", "&nbsp;"):
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(1, bad, parse_mode="HTML")
    # Without parse_mode the same text is fine.
    await bot.send_message(1, "a < b & <p>")
    assert fake_bot_api.texts(1) == ["a < b & <p>"]


async def test_too_long_counts_utf16_after_entities(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(1, "<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(1, "😀" * 2049)  # 4098 UTF-16 units
    await bot.send_message(1, "😀" * 2048)
    assert fake_bot_api.violations == ["text: 4098 > 4096 after entity parsing"]
    fake_bot_api.violations.clear()  # expected here


@pytest.mark.parametrize(("method", "params", "problem"), [
    ("sendMessage", {"text": "hi"}, "sendMessage.chat_id: required, missing"),
    ("sendMessage", {"chat_id": 1, "text": "hi", "colour": "red"},
     "sendMessage.colour: unknown parameter"),
    ("sendMessage", {"chat_id": 1, "text": "hi", "disable_notification": "yes"},
     "sendMessage.disable_notification: not Boolean (str)"),
    ("sendMessage", {"chat_id": 1, "text": "hi", "reply_markup": {"inline_keyboard": [[
        {"text": "x", "callback_data": "x" * 65}]]}}, "callback_data: not 1-64 bytes"),
    ("sendMessage", {"chat_id": 1, "text": "hi", "reply_markup": {"inline_keyboard": [[
        {"text": "x"}]]}}, "needs exactly one action field"),
    ("setMyCommands", {"commands": [{"command": "Start", "description": "go"}]},
     "bad command name 'Start'"),
    ("setMyCommands", {"commands": [{"command": "start", "description": ""}]},
     "description not 1-256 chars"),
    ("answerCallbackQuery", {"callback_query_id": "1", "text": "x" * 201},
     "over 200 characters"),
    ("sendMessagez", {"chat_id": 1}, "no such method"),
])
async def test_issue_13_requests_are_checked_against_the_bot_api_spec(
        fake_bot_api: FakeBotAPI, method: str, params: dict[str, Any], problem: str) -> None:
    url = f"{fake_bot_api.base_url}{fake_bot_api.token}/{method}"
    async with aiohttp.ClientSession() as http, http.post(url, json=params) as response:
        assert response.status in (400, 404)
        assert not (await response.json())["ok"]
    assert any(problem in v for v in fake_bot_api.violations), fake_bot_api.violations
    fake_bot_api.violations.clear()  # expected here


async def test_issue_13_a_callback_query_is_answered_once(fake_bot_api: FakeBotAPI,
                                                          bot: Bot) -> None:
    await bot.answer_callback_query("7", text="Saved")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("7")
    assert fake_bot_api.violations == ["callback query 7 answered twice"]
    fake_bot_api.violations.clear()  # expected here


async def test_rate_limits_answer_retry_after(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    fake_bot_api.config.private_burst = 1
    await bot.send_message(5, "one")
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(5, "two")
    assert info.value.retry_after.total_seconds() >= 1  # type: ignore[union-attr]
    await bot.send_message(6, "another chat is not limited")
    assert fake_bot_api.count_429 == 1

    fake_bot_api.set_rate_limits(overall=2, private=None, group=None)
    await bot.send_message(8, "a")
    await bot.send_message(9, "b")
    with pytest.raises(RetryAfter):
        await bot.send_message(10, "c")


async def test_flood_and_fail_next_are_one_shot(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    fake_bot_api.flood(3, retry_after=30)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(3, "x")
    assert info.value.retry_after.total_seconds() == 30  # type: ignore[union-attr]
    fake_bot_api.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError):
        await bot.send_message(3, "x")
    await bot.send_message(3, "x")
    assert fake_bot_api.texts(3) == ["x"]


async def test_down_switch(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    fake_bot_api.config.down = "502"
    with pytest.raises(NetworkError):
        await bot.send_message(1, "x")
    fake_bot_api.config.down = "reset"
    with pytest.raises(NetworkError):
        await bot.send_message(1, "x")
    fake_bot_api.config.down = None
    await bot.send_message(1, "x")
    await fake_bot_api.refuse()
    with pytest.raises(NetworkError):
        await bot.send_message(1, "y")
    await fake_bot_api.resume()
    await bot.send_message(1, "z")
    assert fake_bot_api.texts(1) == ["x", "z"]


async def test_edit_message_text(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    msg = await bot.send_message(1, "first")
    await bot.edit_message_text("second", chat_id=1, message_id=msg.message_id)
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text("second", chat_id=1, message_id=msg.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=1, message_id=99)
    assert fake_bot_api.texts(1) == ["second"]
    assert [e.text for e in fake_bot_api.edits] == ["second"]
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("On", callback_data="t:1")]])
    await bot.edit_message_reply_markup(chat_id=1, message_id=msg.message_id,
                                        reply_markup=keyboard)
    assert fake_bot_api.messages[1][0].reply_markup == {
        "inline_keyboard": [[{"text": "On", "callback_data": "t:1"}]]}
    assert await bot.delete_message(1, msg.message_id)
    assert fake_bot_api.texts(1) == [] and fake_bot_api.deleted == [(1, msg.message_id)]


async def test_commands_and_chat_members(fake_bot_api: FakeBotAPI, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Subscribe")])
    await bot.set_my_commands([BotCommand("start", "Подписаться")], language_code="ru")
    await bot.set_my_commands([BotCommand("rules", "Rules")],
                              scope=BotCommandScopeAllGroupChats())
    assert fake_bot_api.commands[("default", "ru")][0]["description"] == "Подписаться"
    got = await bot.get_my_commands(language_code="ru")
    assert [c.command for c in got] == ["start"]
    assert ("all_group_chats", "") in fake_bot_api.commands

    fake_bot_api.set_admins(-100500, [11, 12])
    assert (await bot.get_chat_member(-100500, 11)).status == "creator"
    assert (await bot.get_chat_member(-100500, 12)).status == "administrator"
    assert (await bot.get_chat_member(-100500, 13)).status == "member"
    admins = await bot.get_chat_administrators(-100500)
    assert [a.user.id for a in admins] == [11, 12]


async def test_application_receives_commands_and_presses(fake_bot_api: FakeBotAPI) -> None:
    seen: list[tuple[str, int, str | None]] = []
    done = asyncio.Event()

    async def start(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        from telegram import Update
        assert isinstance(update, Update) and update.effective_user and update.message
        seen.append((update.message.text or "", update.effective_user.id,
                     update.effective_user.language_code))
        await update.message.reply_text("welcome")
        done.set()

    app = (ApplicationBuilder().token(fake_bot_api.token).base_url(fake_bot_api.base_url)
           .base_file_url(fake_bot_api.base_file_url).build())
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        fake_bot_api.command("start", user_id=77, language_code="ru")
        await asyncio.wait_for(done.wait(), 5)
        await app.updater.stop()
        await app.stop()
    assert seen == [("/start", 77, "ru")]
    assert fake_bot_api.texts(77) == ["welcome"]
    press = fake_bot_api.press("toggle:x", user_id=77)
    assert press["callback_query"]["message"]["message_id"] == 2


def test_parse_html_returns_plain_text() -> None:
    assert parse_html('<a href="https://x.org/?a=1&amp;b=2">x &lt;y&gt;</a>') == "x <y>"
    assert parse_html("<blockquote expandable>q</blockquote><tg-spoiler>s</tg-spoiler>") == "qs"
    assert parse_html('<span class="tg-spoiler">s</span> &#128512;') == "s 😀"
    with pytest.raises(EntityParseError):
        parse_html('<span class="other">s</span>')
    with pytest.raises(EntityParseError):
        parse_html('<a href="x&y">s</a>')
