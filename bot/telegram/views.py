"""The bot's texts built from state: welcome, summary, help, menus, status, /latest.

Views only read: the current rules and watched countries through `BotServices` (callables,
so a reload shows at once) and the time through an injected clock. They return escaped
`Html`; every list and feed-supplied string is capped here, where it is built, so a reply
is never cut in the middle of its markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from telegram import Chat, LinkPreviewOptions
from telegram.constants import ChatType

from bot.delivery import countries as country
from bot.delivery.subscribers import Subscriber
from bot.telegram.arguments import format_duration
from bot.telegram.texts import Html, esc, t
from bot.telegram.types import BotServices, StatusReport, StorySummary
from bot.text import clip
from bot.urls import is_http_url

LIST_LIMIT = 8  # items named in one line before "… and N more"
MAX_TITLE = 200  # characters of a story title in /latest
MAX_BULLETS = 20  # rules listed in the welcome
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # the bot's own texts need no link preview


class Views:
    """Texts for one chat's state, over the services' current rules and countries."""

    def __init__(self, services: BotServices, clock: Callable[[], datetime]) -> None:
        self.services = services
        self._clock = clock

    def welcome_text(self, sub: Subscriber, lang: str) -> Html:
        """The first /start: what is watched, where, and how alerts arrive."""
        rules = self.services.rules()
        lines = [f"• {esc(r.title(lang))}" for r in rules[:MAX_BULLETS]]
        if len(rules) > MAX_BULLETS:
            lines.append(t(lang, "and_more", n=len(rules) - MAX_BULLETS))
        bullets = Html("\n".join(lines)) or t(lang, "nothing")
        countries = Html(", ".join(esc(country.label(c, lang))
                                   for c in self.services.watch()))
        return t(lang, "welcome_new", rules=bullets, countries=countries,
                 mode=t(lang, f"mode_{sub.mode}"))

    def summary(self, sub: Subscriber, lang: str) -> Html:
        rules = self.services.rules()
        if sub.rules is None:
            rules_text = t(lang, "all_n", n=len(rules))
        else:
            chosen = [r.title(lang) for r in rules if r.id in sub.rules]
            rules_text = (t(lang, "some_of", k=len(chosen), n=len(rules),
                            items=_names(chosen, lang))
                          if chosen else t(lang, "nothing"))
        watch = self.services.watch()
        if sub.countries is None:
            countries_text = t(lang, "all_n", n=len(watch))
        else:
            chosen = [country.label(c, lang) for c in watch if c in sub.countries]
            countries_text = (t(lang, "some_of", k=len(chosen), n=len(watch),
                                items=_names(chosen, lang))
                              if chosen else t(lang, "nothing"))
        muted = (t(lang, "muted_until", when=_when(sub.muted_until, sub.timezone))
                 if sub.muted_until is not None and sub.is_muted(self._clock())
                 else t(lang, "no"))
        text = t(lang, "summary", rules=rules_text, countries=countries_text,
                 mode=t(lang, f"mode_{sub.mode}"),
                 breaking=t(lang, "on" if sub.breaking_only else "off"),
                 quiet=quiet_text(sub, lang), tz=sub.timezone, muted=muted)
        return text if sub.active else Html(text + t(lang, "inactive_note"))

    def rules_text(self, sub: Subscriber, lang: str) -> Html:
        text = t(lang, "rules_title")
        ids = {r.id for r in self.services.rules()}
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

    def latest_text(self, stories: Sequence[StorySummary], lang: str, tz: str) -> Html:
        if not stories:
            return t(lang, "latest_empty")
        titles = {r.id: r.title(lang) for r in self.services.rules()}
        lines = [str(t(lang, "latest_title"))]
        for n, story in enumerate(stories, 1):
            title = esc(clip(story.title, MAX_TITLE))
            if is_http_url(story.url):
                title = Html(f'<a href="{esc(story.url)}">{title}</a>')
            flags = "".join(country.flag(c) for c in story.countries)
            meta = [esc(titles.get(story.rule, story.rule))]
            if story.outlets > 1:
                meta.append(t(lang, "latest_outlets", n=story.outlets))
            if story.breaking:
                meta.append(t(lang, "breaking"))
            meta.append(esc(_when(story.updated, tz)))
            lines.append(f"\n{n}. {flags} <b>{title}</b>\n{' · '.join(meta)}")
        return Html("\n".join(lines))


def help_text(lang: str, chat: Chat | None, admin: bool) -> Html:
    """/help: the group part in groups, the admin part for bot admins."""
    text = t(lang, "help")
    if chat is not None and chat.type in {ChatType.GROUP, ChatType.SUPERGROUP}:
        text = Html(text + t(lang, "help_group"))
    if admin:
        text = Html(text + t(lang, "help_admin"))
    return text


def quiet_text(sub: Subscriber, lang: str) -> Html:
    if sub.quiet_start is None or sub.quiet_end is None:
        return t(lang, "off")
    return t(lang, "quiet_range", start=f"{sub.quiet_start:%H:%M}",
             end=f"{sub.quiet_end:%H:%M}", tz=sub.timezone)


def muted_text(sub: Subscriber | None, duration: timedelta, until: datetime, lang: str) -> Html:
    """The answer to a mute; `sub` is None when the chat has no subscriber."""
    if sub is None:
        return t(lang, "not_subscribed")
    return t(lang, "muted", duration=format_duration(duration, lang),
             when=_when(until, sub.timezone))


def status_text(report: StatusReport, subscribers: int, lang: str) -> Html:
    dead = t(lang, "status_dead", items=_names(report.dead, lang)) if report.dead else ""
    failing = (t(lang, "status_failing", items=_names(report.failing, lang))
               if report.failing else "")
    last = (_when(report.last_poll, "UTC") if report.last_poll is not None
            else t(lang, "never"))
    return t(lang, "status", total=report.feeds_total, ok=report.feeds_ok,
             failing=len(report.failing), dead=len(report.dead),
             dead_list=Html(dead), failing_list=Html(failing),
             depth=report.outbox_depth,
             pending=(t(lang, "status_pending", n=report.outbox_pending)
                      if report.outbox_pending else ""),
             alerts=report.alerts_24h, subscribers=subscribers, last_poll=last)


def _names(items: Sequence[str], lang: str) -> Html:
    shown = [esc(i) for i in items[:LIST_LIMIT]]
    if len(items) > LIST_LIMIT:
        shown.append(t(lang, "and_more", n=len(items) - LIST_LIMIT))
    return Html(", ".join(shown))


def _when(moment: datetime, tz: str) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%d.%m.%Y %H:%M} ({tz})"


