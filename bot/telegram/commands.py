"""Command handlers: what the bot answers to /start, /settings, /mute and the rest.

Handlers know nothing of the app's wiring: everything they need comes in through
`BotServices`, and they are bound to it, to `Permissions` and to `Views` by the Application
builder (`app.py`). A handler checks who may act, builds its change with `changes`, applies it
through `SubscriberStore.update` (atomic) and answers with a view. Chat membership updates
(a group's migration, the bot blocked or removed) are handled here too: they change the
subscriber the same way a command does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from telegram import ChatMember, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode

from bot.delivery.subscribers import MODES, Subscriber
from bot.telegram import changes, keyboards
from bot.telegram.arguments import parse_duration, parse_quiet, parse_timezone
from bot.telegram.bound import BoundHandlers
from bot.telegram.texts import Html, language_of, t
from bot.telegram.types import Context
from bot.telegram.views import (
    NO_PREVIEW,
    help_text,
    muted_text,
    quiet_text,
    status_text,
)
from bot.text import clip_lines

log = logging.getLogger(__name__)
MAX_ERRORS = 3500  # characters of config errors in the /reload reply

# A parsed `/settings …`: the change, and the confirmation to show once it is stored.
_SettingsChange = tuple[changes.Change, Callable[[Subscriber], Html]]


class Commands(BoundHandlers):
    """The bot's command and chat-update handlers, bound to the services they use."""

    # -- replying -------------------------------------------------------------
    async def reply(
        self, update: Update, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        message = update.effective_message
        if message is None:
            return
        # Every list and feed-supplied string is capped where it is built, so the HTML is
        # never cut here.
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                 link_preview_options=NO_PREVIEW, do_quote=False)

    async def _subscriber(self, update: Update, lang: str) -> Subscriber | None:
        """This chat's subscriber; answers "send /start" when there is none."""
        chat = update.effective_chat
        if chat is None:
            return None
        sub = await self.services.subscribers.get(chat.id)
        if sub is None:
            await self.reply(update, t(lang, "not_subscribed"))
        return sub

    async def _guard_change(self, update: Update, context: Context, lang: str) -> bool:
        chat = update.effective_chat
        if chat is None:
            return False
        if await self.permissions.may_change(context.bot, chat, update.effective_user,
                                             update.effective_message):
            return True
        await self.reply(update, t(lang, "group_admin_only"))
        return False

    @staticmethod
    def _lang(update: Update) -> str:
        user = update.effective_user
        return language_of(user.language_code if user else None)

    # -- commands -------------------------------------------------------------
    async def start(self, update: Update, context: Context) -> None:
        chat, message = update.effective_chat, update.effective_message
        lang = self._lang(update)
        if chat is None or message is None or not await self._guard_change(update, context, lang):
            return
        store = self.services.subscribers
        before = await store.get(chat.id)
        sub = await store.activate(chat.id, chat_type=cast(Any, chat.type), language=lang)
        # In a forum supergroup, alerts go to the topic where /start was sent.
        thread = message.message_thread_id if message.is_topic_message else None
        if sub.language != lang or (sub.is_group and sub.thread_id != thread):
            updated = await store.update(chat.id, changes.set_language_and_thread(lang, thread))
            sub = updated or sub
        log.info("subscriber started", extra={"chat": chat.id, "returning": before is not None})
        if before is None:
            await self.reply(update, self.views.welcome_text(sub, lang))
        elif not before.active:
            await self.reply(update, t(lang, "welcome_back",
                                       summary=self.views.summary(sub, lang)))
        else:
            await self.reply(update, t(lang, "already", summary=self.views.summary(sub, lang)))

    async def help(self, update: Update, context: Context) -> None:
        user = update.effective_user
        await self.reply(update, help_text(self._lang(update), update.effective_chat,
                                           self.permissions.is_bot_admin(user)))

    async def rules(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        sub = await self._subscriber(update, lang)
        if sub is None:
            return
        rules = self.services.rules()
        if not rules:
            await self.reply(update, t(lang, "rules_empty"))
            return
        await self.reply(update, self.views.rules_text(sub, lang),
                         keyboards.rules_keyboard(sub, rules, lang))

    async def countries(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        sub = await self._subscriber(update, lang)
        if sub is None:
            return
        await self.reply(update, self.views.countries_text(sub, lang),
                         keyboards.countries_keyboard(sub, self.services.watch(), lang))

    async def settings(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        sub = await self._subscriber(update, lang)
        chat = update.effective_chat
        if sub is None or chat is None:
            return
        args = [a for a in (context.args or []) if a]
        if not args:
            await self.reply(update, self.views.settings_text(sub, lang),
                             keyboards.settings_keyboard(sub, lang))
            return
        change = _settings_change(args, lang)
        if isinstance(change, str):
            await self.reply(update, change)
            return
        if not await self._guard_change(update, context, lang):
            return
        apply, confirm = change
        new = await self.services.subscribers.update(chat.id, apply)
        if new is None:
            await self.reply(update, t(lang, "not_subscribed"))
            return
        await self.reply(update, Html(confirm(new) + "\n\n" + self.views.summary(new, lang)),
                         keyboards.settings_keyboard(new, lang))

    async def mute(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        chat = update.effective_chat
        if chat is None or await self._subscriber(update, lang) is None:
            return
        raw = " ".join(context.args or []).strip()
        if not raw:
            await self.reply(update, t(lang, "mute_usage"), keyboards.mute_keyboard(lang))
            return
        duration = parse_duration(raw)
        if duration is None:
            await self.reply(update, t(lang, "mute_bad", value=raw),
                             keyboards.mute_keyboard(lang))
            return
        if not await self._guard_change(update, context, lang):
            return
        until = self._clock() + duration
        sub = await self.services.subscribers.update(chat.id, changes.set_muted_until(until))
        await self.reply(update, muted_text(sub, duration, until, lang))

    async def unmute(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        chat = update.effective_chat
        sub = await self._subscriber(update, lang)
        if chat is None or sub is None:
            return
        if not sub.is_muted(self._clock()):
            await self.reply(update, t(lang, "not_muted"))
            return
        if not await self._guard_change(update, context, lang):
            return
        await self.services.subscribers.update(chat.id, changes.set_muted_until(None))
        await self.reply(update, t(lang, "unmuted"))

    async def latest(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        chat = update.effective_chat
        sub = await self.services.subscribers.get(chat.id) if chat else None
        stories = await self.services.latest(5)
        await self.reply(update, self.views.latest_text(stories[:5], lang,
                                                        sub.timezone if sub else "UTC"))

    async def stop(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        chat = update.effective_chat
        if chat is None or not await self._guard_change(update, context, lang):
            return
        sub = await self.services.subscribers.get(chat.id)
        if sub is None or not sub.active:
            await self.reply(update, t(lang, "stopped_already"))
            return
        await self.services.subscribers.deactivate(chat.id, "stopped")
        log.info("subscriber stopped", extra={"chat": chat.id})
        await self.reply(update, t(lang, "stopped"))

    async def status(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        if not self.permissions.is_bot_admin(update.effective_user):
            await self.reply(update, t(lang, "admin_only"))
            return
        report = await self.services.status()
        subscribers = await self.services.subscribers.count()
        await self.reply(update, status_text(report, subscribers, lang))

    async def reload(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        user = update.effective_user
        if not self.permissions.is_bot_admin(user):
            await self.reply(update, t(lang, "admin_only"))
            return
        errors = await self.services.reload()
        log.info("config reload requested", extra={"user": user.id if user else None,
                                                   "errors": len(errors)})
        if not errors:
            await self.reply(update, t(lang, "reload_ok"))
            return
        # One message holds them; the log has them all.
        await self.reply(update, t(lang, "reload_failed", errors=clip_lines(errors, MAX_ERRORS)))

    async def unknown(self, update: Update, context: Context) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not message.text:
            return
        command = message.text.split()[0]
        name, _, target = command.partition("@")
        if chat.type != ChatType.PRIVATE and target.lower() != context.bot.username.lower():
            return  # in groups, a bare unknown command may be meant for another bot
        lang = self._lang(update)
        admin = self.permissions.is_bot_admin(update.effective_user)
        await self.reply(update, t(lang, "unknown", command=name,
                                   help=help_text(lang, chat, admin)))

    async def text(self, update: Update, context: Context) -> None:
        """Plain text in a private chat: point to /help."""
        await self.reply(update, t(self._lang(update), "text_hint"))

    # -- chat changes ----------------------------------------------------------
    async def migrated(self, update: Update, context: Context) -> None:
        """A group became a supergroup: its settings follow it to the new id."""
        message = update.effective_message
        if message is None:
            return
        old, new = (
            (message.chat_id, message.migrate_to_chat_id) if message.migrate_to_chat_id
            else (message.migrate_from_chat_id, message.chat_id)
        )
        if old is None or new is None:
            return
        moved = await self.services.subscribers.migrate(old, new)
        if moved is not None:
            log.info("subscriber migrated", extra={"chat": old, "new_chat": new})

    async def membership(self, update: Update, context: Context) -> None:
        """The bot was blocked or removed: deactivate, keeping the settings."""
        change = update.my_chat_member
        if change is None:
            return
        status = change.new_chat_member.status
        if status in {ChatMember.BANNED, ChatMember.LEFT}:
            reason = "blocked" if change.chat.type == ChatType.PRIVATE else "removed"
            await self.services.subscribers.deactivate(change.chat.id, reason)
            log.info("subscriber deactivated", extra={"chat": change.chat.id, "reason": reason})


def _settings_change(args: list[str], lang: str) -> Html | _SettingsChange:
    """Parse `/settings …` arguments into (change, confirmation) or an error reply."""
    what, rest = args[0].lower(), args[1:]
    if what in MODES and not rest:
        what, rest = "mode", [what]
    if what == "mode" and len(rest) == 1 and rest[0].lower() in MODES:
        return (changes.set_mode(rest[0].lower()),
                lambda s: t(lang, "set_mode", mode=t(lang, f"mode_{s.mode}")))
    if what == "breaking" and len(rest) == 1 and rest[0].lower() in {"on", "off"}:
        return (changes.set_breaking_only(rest[0].lower() == "on"),
                lambda s: t(lang, "set_breaking",
                            value=t(lang, "on" if s.breaking_only else "off")))
    if what in {"tz", "timezone"} and len(rest) == 1:
        tz = parse_timezone(rest[0])
        if tz is None:
            return t(lang, "bad_tz", value=rest[0])
        return changes.set_timezone(tz), lambda s: t(lang, "set_tz", tz=s.timezone)
    if what == "quiet" and len(rest) == 1 and rest[0].lower() in {"off", "none", "0"}:
        return changes.quiet_hours_off(), lambda s: t(lang, "set_quiet_off")
    if what == "quiet" and 1 <= len(rest) <= 2:
        span = parse_quiet(rest[0])
        if span is None:
            return t(lang, "bad_quiet", value=rest[0])
        zone = parse_timezone(rest[1]) if len(rest) == 2 else None
        if len(rest) == 2 and zone is None:
            return t(lang, "bad_tz", value=rest[1])
        return (changes.set_quiet_hours(span, zone),
                lambda s: t(lang, "set_quiet", quiet=quiet_text(s, lang)))
    return t(lang, "settings_usage")
