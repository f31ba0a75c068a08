"""The callback-query handler: presses on the rules, countries, settings and mute keyboards.

A press is parsed (`keyboards.parse`), checked against who may change the chat, turned into
a change from `changes` and stored atomically; the message is edited in place to show the
new state, and then the toast answers the press (once; a failure answers "went wrong").
A press on a keyboard that no longer matches the config (a rule or country since
removed) only answers "stale".
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.delivery import countries as country
from bot.delivery.subscribers import MODES
from bot.telegram import changes, keyboards
from bot.telegram.arguments import MAX_MUTE, parse_quiet
from bot.telegram.bound import BoundHandlers
from bot.telegram.texts import language_of, plain
from bot.telegram.types import Context
from bot.telegram.views import NO_PREVIEW, muted_text

log = logging.getLogger(__name__)


class Buttons(BoundHandlers):
    """The inline keyboards' handler, bound to the services it uses."""

    async def button(self, update: Update, context: Context) -> None:
        """Handle a press and answer it exactly once, with a toast that tells the truth:
        the change is stored and the message edited first; a failure says so."""
        query = update.callback_query
        if query is None:
            return
        lang = language_of(query.from_user.language_code)
        try:
            toast, show_alert = await self._press(query, context, lang)
        except Exception:
            await _answer(query, plain(lang, "toast_failed"), show_alert=True)
            raise  # on_error logs it (and leaves the query alone)
        await _answer(query, toast, show_alert=show_alert)

    async def _press(self, query: CallbackQuery, context: Context, lang: str
                     ) -> tuple[str, bool]:
        """Apply one press; the toast to answer it with, and whether it is an alert box."""
        press = keyboards.parse(query.data or "")
        message = query.message
        if press is None or message is None or not isinstance(message, Message):
            return plain(lang, "toast_stale"), False
        chat = message.chat
        if not await self.permissions.may_change(context.bot, chat, query.from_user):
            return plain(lang, "group_admin_only"), True
        store = self.services.subscribers
        toast = plain(lang, "toast_saved")

        if press.menu == "m":
            duration = min(timedelta(seconds=int(press.value)), MAX_MUTE)
            until = self._clock() + duration
            muted = await store.update(chat.id, changes.set_muted_until(until))
            text = muted_text(muted, duration, until, lang)
            await _edit(query.edit_message_text(text, parse_mode=ParseMode.HTML))
            return toast, False

        change: changes.Change
        item = press.value
        if press.menu == "r":
            rules = self.services.rules()
            ids = [r.id for r in rules]
            if press.action in {"t", "h"}:
                rule = keyboards.find_rule(press, rules)
                if rule is None:
                    return plain(lang, "toast_stale"), False
                item = rule.id
                change = changes.filter_change("rules", item, ids)
                title = rule.title(lang)
            else:
                change = changes.filter_all("rules", press.action == "+")
                title = ""
        elif press.menu == "c":
            watch = list(self.services.watch())
            if press.action == "t":
                if press.value not in watch:
                    return plain(lang, "toast_stale"), False
                change = changes.filter_change("countries", press.value, watch)
                title = country.label(press.value, lang)
            else:
                change = changes.filter_all("countries", press.action == "+")
                title = ""
        else:
            picked = _settings_press(press)
            if picked is None:
                return plain(lang, "toast_stale"), False
            change, title = picked, ""

        sub = await store.update(chat.id, change)
        if sub is None:
            return plain(lang, "not_subscribed"), True
        if title:
            chosen = sub.rules if press.menu == "r" else sub.countries
            on = chosen is None or item in chosen
            toast = plain(lang, "toast_on" if on else "toast_off", item=title)
        if press.menu == "r":
            text, markup = (self.views.rules_text(sub, lang),
                            keyboards.rules_keyboard(sub, self.services.rules(), lang))
        elif press.menu == "c":
            text, markup = (self.views.countries_text(sub, lang),
                            keyboards.countries_keyboard(sub, self.services.watch(), lang))
        else:
            text, markup = (self.views.settings_text(sub, lang),
                            keyboards.settings_keyboard(sub, lang))
        await _edit(query.edit_message_text(text, parse_mode=ParseMode.HTML,
                                            reply_markup=markup,
                                            link_preview_options=NO_PREVIEW))
        return toast, False


def _settings_press(press: keyboards.Press) -> changes.Change | None:
    """The change a settings button asks for; None for a press this version does not know."""
    if press.action == "m" and press.value in MODES:
        return changes.set_mode(press.value)
    if press.action == "b":
        return changes.toggle_breaking_only()
    if press.action == "q":
        if press.value == "off":
            return changes.quiet_hours_off()
        span = parse_quiet(press.value)
        if span is None:
            return None
        return changes.set_quiet_hours(span)
    return None


async def _answer(query: CallbackQuery, toast: str, *, show_alert: bool) -> None:
    try:
        await query.answer(toast, show_alert=show_alert)
    except TelegramError as exc:  # expired (the limiter waited too long) or refused
        log.warning("button press not answered", extra={"error": str(exc)})


async def _edit(edit: Any) -> None:
    try:
        await edit
    except BadRequest as exc:
        # Two quick presses can ask for the same markup twice; Telegram refuses that.
        if "not modified" not in str(exc).lower():
            raise
