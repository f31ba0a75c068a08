"""Command and button handlers: what the bot answers to users.

Handlers know nothing of the app's wiring: everything they need comes in through
`BotServices`. Subscriber changes go through `SubscriberStore.update`, which is
atomic, so two quick presses never lose one another.
"""

from __future__ import annotations

import logging
import time as monotonic_clock
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from telegram import (
    Chat,
    ChatMember,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
    User,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.delivery import countries as country
from bot.delivery.subscribers import Subscriber, toggle
from bot.telegram import keyboards
from bot.telegram.arguments import (
    MAX_MUTE,
    format_duration,
    parse_duration,
    parse_quiet,
    parse_timezone,
)
from bot.telegram.texts import Html, esc, language_of, plain, t
from bot.telegram.types import BotServices, RuleInfo, StatusReport, StorySummary

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
MODES = ("instant", "hourly", "daily")
LIST_LIMIT = 8  # items named in one line before "… and N more"
MAX_TITLE = 200  # characters of a story title in /latest
MAX_BULLETS = 20  # rules listed in the welcome
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_CAN_CHANGE = {ChatMember.OWNER, ChatMember.ADMINISTRATOR}


def _now() -> datetime:
    return datetime.now(UTC)


class Handlers:
    """The bot's handlers, bound to the services they use."""

    def __init__(
        self, services: BotServices, *, admin_cache_ttl: float = 60.0,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.services = services
        self._admin_ttl = admin_cache_ttl
        self._admin_cache: dict[tuple[int, int], tuple[bool, float]] = {}
        self._clock = clock

    # -- permissions ------------------------------------------------------
    def is_bot_admin(self, user: User | None) -> bool:
        return user is not None and user.id in self.services.admins()

    async def may_change(
        self, context: Context, chat: Chat, user: User | None, message: Message | None = None
    ) -> bool:
        """May this user change this chat's settings? In groups: its admins only."""
        if chat.type == ChatType.PRIVATE:
            return True
        if chat.type == ChatType.CHANNEL:
            return False  # channels are destinations from settings, not command sources
        if message is not None and message.sender_chat is not None:
            # An anonymous group admin writes as the group itself.
            return message.sender_chat.id == chat.id
        if user is None:
            return False
        if self.is_bot_admin(user):
            return True
        key = (chat.id, user.id)
        now = monotonic_clock.monotonic()
        cached = self._admin_cache.get(key)
        if cached is not None and cached[1] > now:
            return cached[0]
        try:
            member = await context.bot.get_chat_member(chat.id, user.id)
        except TelegramError as exc:
            log.warning("getChatMember failed", extra={"chat": chat.id, "user": user.id,
                                                       "error": str(exc)})
            return False
        allowed = member.status in _CAN_CHANGE
        if len(self._admin_cache) > 10_000:  # keep the cache bounded
            self._admin_cache = {k: v for k, v in self._admin_cache.items() if v[1] > now}
        self._admin_cache[key] = (allowed, now + self._admin_ttl)
        return allowed

    # -- presentation -------------------------------------------------------
    def _rule_list(self) -> Sequence[RuleInfo]:
        return self.services.rules()

    def _names(self, items: Sequence[str], lang: str) -> Html:
        shown = [esc(i) for i in items[:LIST_LIMIT]]
        if len(items) > LIST_LIMIT:
            shown.append(t(lang, "and_more", n=len(items) - LIST_LIMIT))
        return Html(", ".join(shown))

    def _when(self, moment: datetime, tz: str) -> str:
        local = moment.astimezone(ZoneInfo(tz))
        return f"{local:%d.%m.%Y %H:%M} ({tz})"

    def summary(self, sub: Subscriber, lang: str) -> Html:
        rules = self._rule_list()
        if sub.rules is None:
            rules_text = t(lang, "all_n", n=len(rules))
        else:
            chosen = [r.title(lang) for r in rules if r.id in sub.rules]
            rules_text = (t(lang, "some_of", k=len(chosen), n=len(rules),
                            items=self._names(chosen, lang))
                          if chosen else t(lang, "nothing"))
        watch = self.services.watch()
        if sub.countries is None:
            countries_text = t(lang, "all_n", n=len(watch))
        else:
            chosen = [country.label(c, lang) for c in watch if c in sub.countries]
            countries_text = (t(lang, "some_of", k=len(chosen), n=len(watch),
                                items=self._names(chosen, lang))
                              if chosen else t(lang, "nothing"))
        quiet = (t(lang, "quiet_range", start=f"{sub.quiet_start:%H:%M}",
                   end=f"{sub.quiet_end:%H:%M}", tz=sub.timezone)
                 if sub.quiet_start is not None and sub.quiet_end is not None
                 else t(lang, "off"))
        muted = (t(lang, "muted_until", when=self._when(sub.muted_until, sub.timezone))
                 if sub.muted_until is not None and sub.is_muted(self._clock())
                 else t(lang, "no"))
        text = t(lang, "summary", rules=rules_text, countries=countries_text,
                 mode=t(lang, f"mode_{sub.mode}"),
                 breaking=t(lang, "on" if sub.breaking_only else "off"),
                 quiet=quiet, tz=sub.timezone, muted=muted)
        return text if sub.active else Html(text + t(lang, "inactive_note"))

    def help_text(self, lang: str, chat: Chat | None, user: User | None) -> Html:
        text = t(lang, "help")
        if chat is not None and chat.type in {ChatType.GROUP, ChatType.SUPERGROUP}:
            text = Html(text + t(lang, "help_group"))
        if self.is_bot_admin(user):
            text = Html(text + t(lang, "help_admin"))
        return text

    def rules_text(self, sub: Subscriber, lang: str) -> Html:
        text = t(lang, "rules_title")
        ids = {r.id for r in self._rule_list()}
        if sub.rules is not None and not sub.rules & ids:
            text = Html(text + t(lang, "rules_all_off"))
        return text if sub.active else Html(text + t(lang, "inactive_note"))

    def countries_text(self, sub: Subscriber, lang: str) -> Html:
        text = t(lang, "countries_title")
        if sub.countries is not None and not sub.countries & set(self.services.watch()):
            text = Html(text + t(lang, "countries_all_off"))
        return text if sub.active else Html(text + t(lang, "inactive_note"))

    def settings_text(self, sub: Subscriber, lang: str) -> Html:
        return t(lang, "settings", summary=self.summary(sub, lang))

    def status_text(self, report: StatusReport, subscribers: int, lang: str) -> Html:
        dead = t(lang, "status_dead", items=self._names(report.dead, lang)) if report.dead else ""
        failing = (t(lang, "status_failing", items=self._names(report.failing, lang))
                   if report.failing else "")
        last = (self._when(report.last_poll, "UTC") if report.last_poll is not None
                else t(lang, "never"))
        return t(lang, "status", total=report.feeds_total, ok=report.feeds_ok,
                 failing=len(report.failing), dead=len(report.dead),
                 dead_list=Html(dead), failing_list=Html(failing),
                 depth=report.outbox_depth,
                 pending=(t(lang, "status_pending", n=report.outbox_pending)
                          if report.outbox_pending else ""),
                 alerts=report.alerts_24h, subscribers=subscribers, last_poll=last)

    def latest_text(self, stories: Sequence[StorySummary], lang: str, tz: str) -> Html:
        if not stories:
            return t(lang, "latest_empty")
        titles = {r.id: r.title(lang) for r in self._rule_list()}
        lines = [str(t(lang, "latest_title"))]
        for n, story in enumerate(stories, 1):
            title = esc(_clip(story.title, MAX_TITLE))
            if story.url and story.url.startswith(("http://", "https://")):
                title = Html(f'<a href="{esc(story.url)}">{title}</a>')
            flags = "".join(country.flag(c) for c in story.countries)
            meta = [esc(titles.get(story.rule, story.rule))]
            if story.outlets > 1:
                meta.append(t(lang, "latest_outlets", n=story.outlets))
            if story.breaking:
                meta.append(t(lang, "breaking"))
            meta.append(esc(self._when(story.updated, tz)))
            lines.append(f"\n{n}. {flags} <b>{title}</b>\n{' · '.join(meta)}")
        return Html("\n".join(lines))

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
                                 link_preview_options=_NO_PREVIEW, do_quote=False)

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
        if await self.may_change(context, chat, update.effective_user, update.effective_message):
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
            updated = await store.update(chat.id, lambda s: s.model_copy(
                update={"language": lang, "thread_id": thread if s.is_group else s.thread_id}))
            sub = updated or sub
        log.info("subscriber started", extra={"chat": chat.id, "returning": before is not None})
        if before is None:
            rules = self._rule_list()
            lines = [f"• {esc(r.title(lang))}" for r in rules[:MAX_BULLETS]]
            if len(rules) > MAX_BULLETS:
                lines.append(t(lang, "and_more", n=len(rules) - MAX_BULLETS))
            bullets = Html("\n".join(lines)) or t(lang, "nothing")
            countries = Html(", ".join(esc(country.label(c, lang))
                                       for c in self.services.watch()))
            await self.reply(update, t(lang, "welcome_new", rules=bullets, countries=countries,
                                       mode=t(lang, f"mode_{sub.mode}")))
        elif not before.active:
            await self.reply(update, t(lang, "welcome_back", summary=self.summary(sub, lang)))
        else:
            await self.reply(update, t(lang, "already", summary=self.summary(sub, lang)))

    async def help(self, update: Update, context: Context) -> None:
        await self.reply(update, self.help_text(self._lang(update), update.effective_chat,
                                                update.effective_user))

    async def rules(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        sub = await self._subscriber(update, lang)
        if sub is None:
            return
        rules = self._rule_list()
        if not rules:
            await self.reply(update, t(lang, "rules_empty"))
            return
        await self.reply(update, self.rules_text(sub, lang),
                         keyboards.rules_keyboard(sub, rules, lang))

    async def countries(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        sub = await self._subscriber(update, lang)
        if sub is None:
            return
        await self.reply(update, self.countries_text(sub, lang),
                         keyboards.countries_keyboard(sub, self.services.watch(), lang))

    async def settings(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        sub = await self._subscriber(update, lang)
        chat = update.effective_chat
        if sub is None or chat is None:
            return
        args = [a for a in (context.args or []) if a]
        if not args:
            await self.reply(update, self.settings_text(sub, lang),
                             keyboards.settings_keyboard(sub, lang))
            return
        change = self._settings_change(args, lang)
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
        await self.reply(update, Html(confirm(new) + "\n\n" + self.summary(new, lang)),
                         keyboards.settings_keyboard(new, lang))

    def _settings_change(
        self, args: list[str], lang: str
    ) -> Html | tuple[Callable[[Subscriber], Subscriber], Callable[[Subscriber], Html]]:
        """Parse `/settings …` arguments into (change, confirmation) or an error reply."""
        what, rest = args[0].lower(), args[1:]
        if what in MODES and not rest:
            what, rest = "mode", [what]
        if what == "mode" and len(rest) == 1 and rest[0].lower() in MODES:
            mode = rest[0].lower()
            return (lambda s: s.model_copy(update={"mode": mode}),
                    lambda s: t(lang, "set_mode", mode=t(lang, f"mode_{s.mode}")))
        if what == "breaking" and len(rest) == 1 and rest[0].lower() in {"on", "off"}:
            flag = rest[0].lower() == "on"
            return (lambda s: s.model_copy(update={"breaking_only": flag}),
                    lambda s: t(lang, "set_breaking",
                                value=t(lang, "on" if s.breaking_only else "off")))
        if what in {"tz", "timezone"} and len(rest) == 1:
            tz = parse_timezone(rest[0])
            if tz is None:
                return t(lang, "bad_tz", value=rest[0])
            return (lambda s: s.model_copy(update={"timezone": tz}),
                    lambda s: t(lang, "set_tz", tz=s.timezone))
        if what == "quiet" and len(rest) == 1 and rest[0].lower() in {"off", "none", "0"}:
            return (lambda s: s.model_copy(update={"quiet_start": None, "quiet_end": None}),
                    lambda s: t(lang, "set_quiet_off"))
        if what == "quiet" and 1 <= len(rest) <= 2:
            span = parse_quiet(rest[0])
            if span is None:
                return t(lang, "bad_quiet", value=rest[0])
            zone = parse_timezone(rest[1]) if len(rest) == 2 else None
            if len(rest) == 2 and zone is None:
                return t(lang, "bad_tz", value=rest[1])
            update: dict[str, object] = {"quiet_start": span[0], "quiet_end": span[1]}
            if zone is not None:
                update["timezone"] = zone
            return (lambda s: s.model_copy(update=update),
                    lambda s: t(lang, "set_quiet", quiet=self._quiet(s, lang)))
        return t(lang, "settings_usage")

    @staticmethod
    def _quiet(sub: Subscriber, lang: str) -> Html:
        if sub.quiet_start is None or sub.quiet_end is None:
            return t(lang, "off")
        return t(lang, "quiet_range", start=f"{sub.quiet_start:%H:%M}",
                 end=f"{sub.quiet_end:%H:%M}", tz=sub.timezone)

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
        text = await self._mute(chat.id, duration, lang)
        await self.reply(update, text)

    async def _mute(self, chat_id: int, duration: timedelta, lang: str) -> Html:
        until = self._clock() + duration
        sub = await self.services.subscribers.update(
            chat_id, lambda s: s.model_copy(update={"muted_until": until}))
        if sub is None:
            return t(lang, "not_subscribed")
        return t(lang, "muted", duration=format_duration(duration, lang),
                 when=self._when(until, sub.timezone))

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
        await self.services.subscribers.update(
            chat.id, lambda s: s.model_copy(update={"muted_until": None}))
        await self.reply(update, t(lang, "unmuted"))

    async def latest(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        chat = update.effective_chat
        sub = await self.services.subscribers.get(chat.id) if chat else None
        stories = await self.services.latest(5)
        await self.reply(update, self.latest_text(stories[:5], lang,
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
        if not self.is_bot_admin(update.effective_user):
            await self.reply(update, t(lang, "admin_only"))
            return
        report = await self.services.status()
        subscribers = await self.services.subscribers.count()
        await self.reply(update, self.status_text(report, subscribers, lang))

    async def reload(self, update: Update, context: Context) -> None:
        lang = self._lang(update)
        user = update.effective_user
        if not self.is_bot_admin(user):
            await self.reply(update, t(lang, "admin_only"))
            return
        errors = await self.services.reload()
        log.info("config reload requested", extra={"user": user.id if user else None,
                                                   "errors": len(errors)})
        if not errors:
            await self.reply(update, t(lang, "reload_ok"))
            return
        shown = "\n".join(errors)
        if len(shown) > 3500:  # stay inside one message; the log has them all
            shown = shown[:3500] + "\n…"
        await self.reply(update, t(lang, "reload_failed", errors=shown))

    async def unknown(self, update: Update, context: Context) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None or not message.text:
            return
        command = message.text.split()[0]
        name, _, target = command.partition("@")
        if chat.type != ChatType.PRIVATE and target.lower() != context.bot.username.lower():
            return  # in groups, a bare unknown command may be meant for another bot
        lang = self._lang(update)
        await self.reply(update, t(lang, "unknown", command=name,
                                   help=self.help_text(lang, chat, update.effective_user)))

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

    # -- buttons ----------------------------------------------------------------
    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        lang = language_of(query.from_user.language_code)
        press = keyboards.parse(query.data or "")
        message = query.message
        if press is None or message is None or not isinstance(message, Message):
            await query.answer(plain(lang, "toast_stale"))
            return
        chat = message.chat
        if not await self.may_change(context, chat, query.from_user):
            await query.answer(plain(lang, "group_admin_only"), show_alert=True)
            return
        store = self.services.subscribers
        toast = plain(lang, "toast_saved")

        if press.menu == "m":
            duration = min(timedelta(seconds=int(press.value)), MAX_MUTE)
            text = await self._mute(chat.id, duration, lang)
            await query.answer(toast)
            await self._edit(query.edit_message_text(text, parse_mode=ParseMode.HTML))
            return

        change: Callable[[Subscriber], Subscriber]
        item = press.value
        if press.menu == "r":
            rules = self._rule_list()
            ids = [r.id for r in rules]
            if press.action in {"t", "h"}:
                rule = keyboards.find_rule(press, rules)
                if rule is None:
                    await query.answer(plain(lang, "toast_stale"))
                    return
                item = rule.id
                change = _filter_change("rules", item, ids)
                title = rule.title(lang)
            else:
                change = _filter_all("rules", press.action == "+")
                title = ""
        elif press.menu == "c":
            watch = list(self.services.watch())
            if press.action == "t":
                if press.value not in watch:
                    await query.answer(plain(lang, "toast_stale"))
                    return
                change = _filter_change("countries", press.value, watch)
                title = country.label(press.value, lang)
            else:
                change = _filter_all("countries", press.action == "+")
                title = ""
        else:
            picked = self._settings_press(press)
            if picked is None:
                await query.answer(plain(lang, "toast_stale"))
                return
            change, title = picked, ""

        sub = await store.update(chat.id, change)
        if sub is None:
            await query.answer(plain(lang, "not_subscribed"), show_alert=True)
            return
        if title:
            chosen = sub.rules if press.menu == "r" else sub.countries
            on = chosen is None or item in chosen
            toast = plain(lang, "toast_on" if on else "toast_off", item=title)
        await query.answer(toast)
        if press.menu == "r":
            text, markup = (self.rules_text(sub, lang),
                            keyboards.rules_keyboard(sub, self._rule_list(), lang))
        elif press.menu == "c":
            text, markup = (self.countries_text(sub, lang),
                            keyboards.countries_keyboard(sub, self.services.watch(), lang))
        else:
            text, markup = self.settings_text(sub, lang), keyboards.settings_keyboard(sub, lang)
        await self._edit(query.edit_message_text(text, parse_mode=ParseMode.HTML,
                                                 reply_markup=markup,
                                                 link_preview_options=_NO_PREVIEW))

    @staticmethod
    def _settings_press(press: keyboards.Press) -> Callable[[Subscriber], Subscriber] | None:
        if press.action == "m" and press.value in MODES:
            mode = press.value
            return lambda s: s.model_copy(update={"mode": mode})
        if press.action == "b":
            return lambda s: s.model_copy(update={"breaking_only": not s.breaking_only})
        if press.action == "q":
            if press.value == "off":
                return lambda s: s.model_copy(update={"quiet_start": None, "quiet_end": None})
            span = parse_quiet(press.value)
            if span is None:
                return None
            return lambda s: s.model_copy(update={"quiet_start": span[0], "quiet_end": span[1]})
        return None

    @staticmethod
    async def _edit(edit: Any) -> None:
        try:
            await edit
        except BadRequest as exc:
            # Two quick presses can ask for the same markup twice; Telegram refuses that.
            if "not modified" not in str(exc).lower():
                raise


def _clip(text: str, limit: int) -> str:
    """Cut plain text (before escaping, so no entity is split) at a word if possible."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip() + "…"


def _filter_change(field: str, item: str, universe: Sequence[str]) -> Callable[
        [Subscriber], Subscriber]:
    """Flip one rule or country; everything on is stored as None, so new ones are included."""
    def change(sub: Subscriber) -> Subscriber:
        flipped = toggle(getattr(sub, field), item, universe)
        value = None if flipped >= set(universe) else flipped
        return sub.model_copy(update={field: value})
    return change


def _filter_all(field: str, on: bool) -> Callable[[Subscriber], Subscriber]:
    return lambda sub: sub.model_copy(update={field: None if on else frozenset()})


__all__ = ["Handlers"]
