"""Build the python-telegram-bot Application: handlers, command menus, error handling.

The composition root fills `BotServices`; nothing here reaches for settings or Redis. This
module wires the handler modules together and only the composition root (and tests) import
it, so the handlers never import back up.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.telegram.buttons import Buttons
from bot.telegram.commands import Commands
from bot.telegram.permissions import Permissions
from bot.telegram.texts import ADMIN_COMMANDS, USER_COMMANDS, language_of, t
from bot.telegram.types import BotServices
from bot.telegram.views import Views
from bot.times import utc_now

log = logging.getLogger(__name__)
# Updates handled at once: a mention in a large channel brings a thousand /start in a
# second, and each waits its turn in the pacer, not in PTB's queue.
CONCURRENT_UPDATES = 1024

BotApp = Application[Any, Any, Any, Any, Any, Any]


def commands(language: str, *, admin: bool = False) -> list[BotCommand]:
    """The command menu in one language (English unless "ru")."""
    rows = USER_COMMANDS + (ADMIN_COMMANDS if admin else ())
    return [BotCommand(name, ru if language == "ru" else en) for name, en, ru in rows]


async def register_commands(app: BotApp, admins: frozenset[int]) -> None:
    """setMyCommands: English by default, Russian for Russian-speaking users, and the
    admin commands in each admin's private chat. A failure is logged, never fatal."""
    bot = app.bot
    calls: list[tuple[list[BotCommand], BotCommandScope, str | None]] = [
        (commands("en"), BotCommandScopeDefault(), None),
        (commands("ru"), BotCommandScopeDefault(), "ru"),
    ]
    for admin in sorted(admins):
        scope = BotCommandScopeChat(admin)
        calls += [(commands("en", admin=True), scope, None),
                  (commands("ru", admin=True), scope, "ru")]
    for cmds, where, language in calls:
        try:
            await bot.set_my_commands(cmds, scope=where, language_code=language)
        except TelegramError as exc:
            # An admin who never opened a chat with the bot gives "chat not found".
            log.warning("setMyCommands failed", extra={"scope": type(where).__name__,
                                                       "language": language, "error": str(exc)})


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log every handler failure with its chat, tell the user, and keep polling.

    A button press is never answered here: `Buttons.button` answers each one exactly once
    (Telegram refuses a second answer). A failed request to Telegram gets no apology
    either: it would go the same way (the limiter already waited out the 429s)."""
    effective = update.effective_chat if isinstance(update, Update) else None
    chat = effective.id if effective is not None else None
    log.error("telegram handler failed", exc_info=context.error, extra={"chat": chat})
    if (not isinstance(update, Update) or update.callback_query is not None
            or isinstance(context.error, TelegramError)):
        return
    try:
        if update.effective_message is not None and chat is not None:
            user = update.effective_user
            lang = language_of(user.language_code if user else None)
            await update.effective_message.reply_text(t(lang, "error"), do_quote=False)
    except TelegramError as exc:
        log.warning("could not report a handler error", extra={"chat": chat, "error": str(exc)})



def add_handlers(app: BotApp, services: BotServices) -> None:
    """Bind the command and button handlers to `services` and register them with `app`."""
    permissions = Permissions(services.admins)
    views = Views(services, utc_now)
    cmd = Commands(services, permissions, views, utc_now)
    buttons = Buttons(services, permissions, views, utc_now)
    new = filters.UpdateType.MESSAGE  # edited messages do not repeat a command
    for name, callback in (
        ("start", cmd.start), ("help", cmd.help), ("rules", cmd.rules),
        ("countries", cmd.countries), ("settings", cmd.settings),
        ("mute", cmd.mute), ("unmute", cmd.unmute), ("latest", cmd.latest),
        ("stop", cmd.stop), ("status", cmd.status), ("reload", cmd.reload),
    ):
        app.add_handler(CommandHandler(name, callback, filters=new))
    app.add_handler(CallbackQueryHandler(buttons.button))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, cmd.migrated))
    app.add_handler(ChatMemberHandler(cmd.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.COMMAND & new, cmd.unknown))
    app.add_handler(MessageHandler(
        filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & new, cmd.text))
    app.add_error_handler(on_error)


def build_application(
    token: str, api_url: str, services: BotServices, *,
    rate_limiter: BaseRateLimiter[Any] | None = None,
) -> BotApp:
    """The bot, talking to the Bot API at `api_url` (Telegram's or a local stand-in)."""
    api_url = api_url.rstrip("/")

    async def post_init(app: BotApp) -> None:
        await register_commands(app, services.admins())

    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .post_init(post_init)
        .concurrent_updates(CONCURRENT_UPDATES)
        # Replies wait in the pacer; the HTTP pool only holds what is being sent.
        .connection_pool_size(64)
        .pool_timeout(30)
    )
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    add_handlers(app, services)
    return app
