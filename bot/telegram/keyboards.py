"""Inline keyboards and their callback data (at most 64 bytes, as Telegram requires).

Callback data formats:
  r:t:<rule id>   toggle a rule (r:h:<hash> when the id is too long)
  r:+ / r:-       every rule on / off
  c:t:<CC>        toggle a country; c:+ / c:- every country on / off
  s:m:<mode>      delivery mode; s:b toggles breaking-only; s:q:<HH-HH> / s:q:off quiet hours
  m:<seconds>     mute for that long
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery import countries as country
from bot.delivery.subscribers import MODES, Subscriber
from bot.telegram.texts import plain
from bot.telegram.types import RuleInfo

MAX_CALLBACK = 64
QUIET_PRESETS = ("22-07", "23-08", "00-08")
MUTE_PRESETS = (3600, 8 * 3600, 86400, 7 * 86400)
ON, OFF = "✅", "▫️"


@dataclass(frozen=True, slots=True)
class Press:
    """A parsed button press."""

    menu: str  # "r", "c", "s", "m"
    action: str  # "t", "+", "-", "m", "b", "q", or "" for mute
    value: str = ""


def parse(data: str) -> Press | None:
    head, _, rest = data.partition(":")
    if head in {"r", "c"}:
        action, _, value = rest.partition(":")
        if action in {"t", "h"} and value:
            return Press(head, action, value)
        if action in {"+", "-"} and not value:
            return Press(head, action)
        return None
    if head == "s":
        action, _, value = rest.partition(":")
        if action in {"m", "q"} and value:
            return Press(head, action, value)
        if action == "b":
            return Press(head, action)
        return None
    if head == "m" and rest.isdigit():
        return Press(head, "", rest)
    return None


def rule_hash(rule_id: str) -> str:
    return hashlib.sha256(rule_id.encode()).hexdigest()[:16]


def rule_data(rule_id: str) -> str:
    data = f"r:t:{rule_id}"
    return data if len(data.encode()) <= MAX_CALLBACK else f"r:h:{rule_hash(rule_id)}"


def find_rule(press: Press, rules: Sequence[RuleInfo]) -> RuleInfo | None:
    if press.action == "t":
        return next((r for r in rules if r.id == press.value), None)
    return next((r for r in rules if rule_hash(r.id) == press.value), None)


def _mark(on: bool) -> str:
    return ON if on else OFF


def _all_none(menu: str, lang: str) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(plain(lang, "btn_all"), callback_data=f"{menu}:+"),
        InlineKeyboardButton(plain(lang, "btn_none"), callback_data=f"{menu}:-"),
    ]


def rules_keyboard(sub: Subscriber, rules: Sequence[RuleInfo], lang: str) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(f"{_mark(sub.rules is None or r.id in sub.rules)} {r.title(lang)}",
                              callback_data=rule_data(r.id))]
        for r in rules
    ]
    if len(rules) > 1:
        rows.append(_all_none("r", lang))
    return InlineKeyboardMarkup(rows)


def countries_keyboard(sub: Subscriber, watch: Sequence[str], lang: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            f"{_mark(sub.countries is None or code in sub.countries)} {country.label(code, lang)}",
            callback_data=f"c:t:{code}")
        for code in watch
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if len(watch) > 1:
        rows.append(_all_none("c", lang))
    return InlineKeyboardMarkup(rows)


def settings_keyboard(sub: Subscriber, lang: str) -> InlineKeyboardMarkup:
    modes = [
        InlineKeyboardButton(
            f"{'● ' if sub.mode == mode else ''}{plain(lang, f'btn_mode_{mode}')}",
            callback_data=f"s:m:{mode}")
        for mode in MODES
    ]
    breaking = InlineKeyboardButton(
        f"{_mark(sub.breaking_only)} "
        + plain(lang, "btn_breaking", value=plain(lang, "on" if sub.breaking_only else "off")),
        callback_data="s:b")
    current = _quiet_code(sub)
    quiet = [
        InlineKeyboardButton(f"{'● ' if current == p else ''}🌙 {p.replace('-', '–')}",
                             callback_data=f"s:q:{p}")
        for p in QUIET_PRESETS
    ]
    quiet_off = InlineKeyboardButton(
        f"{'● ' if current is None else ''}{plain(lang, 'btn_quiet_off')}", callback_data="s:q:off")
    return InlineKeyboardMarkup([modes, [breaking], quiet, [quiet_off]])


def _quiet_code(sub: Subscriber) -> str | None:
    if sub.quiet_start is None or sub.quiet_end is None:
        return None
    if sub.quiet_start.minute or sub.quiet_end.minute:
        return "custom"
    return f"{sub.quiet_start.hour:02d}-{sub.quiet_end.hour:02d}"


def mute_keyboard(lang: str) -> InlineKeyboardMarkup:
    labels = {"en": ("1 h", "8 h", "1 day", "1 week"), "ru": ("1 ч", "8 ч", "1 день", "1 неделя")}
    names = labels["ru" if lang == "ru" else "en"]
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(f"🔕 {name}", callback_data=f"m:{secs}")
        for name, secs in zip(names, MUTE_PRESETS, strict=True)
    ]])
