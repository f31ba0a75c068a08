"""Every user-facing string of the bot, in English and Russian.

Templates are HTML (parse mode HTML). `t()` escapes every argument unless it is
already `Html`, so text that came from feeds or users can never break the markup.
"""

from __future__ import annotations

import html
from typing import Literal

Lang = Literal["en", "ru"]


class Html(str):
    """A fragment that is already valid Telegram HTML: `t()` inserts it as is."""

    __slots__ = ()


def esc(text: object) -> Html:
    return Html(html.escape(str(text), quote=True))


def language_of(code: str | None) -> Lang:
    """The user's Telegram language_code → the language of our texts."""
    return "ru" if code and code.lower().startswith("ru") else "en"


# (command, English description, Russian description): shown by Telegram's menu.
USER_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("start", "Subscribe to alerts", "Подписаться на оповещения"),
    ("rules", "Choose which events", "Выбрать события"),
    ("countries", "Choose which countries", "Выбрать страны"),
    ("settings", "Instant or digest, quiet hours", "Сразу или сводкой, тихие часы"),
    ("mute", "Pause alerts, e.g. /mute 2h", "Пауза, например /mute 2h"),
    ("unmute", "Resume alerts", "Возобновить оповещения"),
    ("latest", "The last 5 stories", "Последние 5 сюжетов"),
    ("stop", "Unsubscribe (settings are kept)", "Отписаться (настройки сохранятся)"),
    ("help", "What this bot does", "Что умеет бот"),
)
ADMIN_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("status", "Feeds, outbox and delivery health", "Состояние лент и доставки"),
    ("reload", "Reload the configuration", "Перечитать конфигурацию"),
)

_EN: dict[str, str] = {
    "welcome_new": (
        "👋 <b>Welcome to eventwatch!</b> This chat is now subscribed.\n\n"
        "You will get a short alert when news outlets report:\n{rules}\n\n"
        "Countries: {countries}\n"
        "Delivery: {mode}. Reports of the same event from several outlets are merged "
        "into one alert.\n\n"
        "/rules and /countries choose what you get, /settings how and when, "
        "/mute pauses alerts, /stop unsubscribes, /help lists everything."
    ),
    "welcome_back": "👋 <b>Welcome back!</b> Your previous settings are restored.\n\n{summary}",
    "already": "✅ This chat is already subscribed.\n\n{summary}",
    "summary": (
        "<b>Rules:</b> {rules}\n<b>Countries:</b> {countries}\n<b>Delivery:</b> {mode}\n"
        "<b>Breaking news only:</b> {breaking}\n<b>Quiet hours:</b> {quiet}\n"
        "<b>Time zone:</b> {tz}\n<b>Muted:</b> {muted}"
    ),
    "all_n": "all ({n})",
    "some_of": "{k} of {n}: {items}",
    "nothing": "none",
    "on": "on",
    "off": "off",
    "no": "no",
    "quiet_range": "{start}–{end} ({tz})",
    "muted_until": "until {when}",
    "mode_instant": "instant alerts",
    "mode_hourly": "hourly digest",
    "mode_daily": "daily digest",
    "help": (
        "<b>eventwatch</b> watches news feeds and sends a short alert when outlets report "
        "an event you follow.\n\n"
        "/start – subscribe (after /stop: resume with your old settings)\n"
        "/rules – choose which events\n"
        "/countries – choose which countries\n"
        "/settings – instant or digest, breaking-only, quiet hours\n"
        "/mute 2h – pause alerts (30m, 2h, 1d…)\n"
        "/unmute – resume alerts\n"
        "/latest – the last 5 stories\n"
        "/stop – unsubscribe (your settings are kept)\n"
        "/help – this message"
    ),
    "help_group": "\n\nIn a group, only its administrators can change the settings.",
    "help_admin": (
        "\n\n<b>Admin:</b>\n/status – feeds, outbox, alerts, subscribers\n"
        "/reload – reload the configuration"
    ),
    "not_subscribed": "This chat is not subscribed yet. Send /start first.",
    "inactive_note": "\n\n<i>Alerts are stopped for this chat; /start resumes them.</i>",
    "rules_title": "<b>Rules</b>: tap one to switch it on or off.",
    "rules_empty": "No rules are loaded right now.",
    "rules_all_off": "\n\n⚠️ Every rule is off: this chat will receive nothing.",
    "countries_title": "<b>Countries</b>: tap one to switch it on or off.",
    "countries_all_off": "\n\n⚠️ Every country is off: this chat will receive nothing.",
    "btn_all": "✅ All",
    "btn_none": "▫️ None",
    "settings": (
        "<b>Settings</b>\n{summary}\n\n"
        "Tap a button, or type:\n"
        "<code>/settings mode instant</code> (or hourly, daily)\n"
        "<code>/settings breaking on</code> (or off)\n"
        "<code>/settings quiet 22-07 Asia/Almaty</code> – hold alerts from 22:00 to 07:00 "
        "in your time zone; they arrive when quiet hours end\n"
        "<code>/settings quiet off</code>\n"
        "<code>/settings tz Asia/Almaty</code> (or UTC+5) – your time zone"
    ),
    "settings_usage": (
        "I didn't understand that. Examples:\n"
        "<code>/settings mode hourly</code>\n<code>/settings breaking on</code>\n"
        "<code>/settings quiet 22-07 Asia/Almaty</code>\n<code>/settings quiet off</code>\n"
        "<code>/settings tz UTC+5</code>"
    ),
    "bad_quiet": (
        "“{value}” is not a time range. Use hours like <code>22-07</code> or "
        "<code>22:30-07:00</code>."
    ),
    "bad_tz": (
        "“{value}” is not a time zone I know. Use a name like <code>Asia/Almaty</code> or "
        "<code>Europe/Moscow</code>, or an offset like <code>UTC+5</code>."
    ),
    "set_mode": "Delivery: {mode}.",
    "set_breaking": "Breaking news only: {value}.",
    "set_quiet": "Quiet hours: {quiet}.",
    "set_quiet_off": "Quiet hours are off.",
    "set_tz": "Time zone: {tz}.",
    "btn_mode_instant": "Instant",
    "btn_mode_hourly": "Hourly digest",
    "btn_mode_daily": "Daily digest",
    "btn_breaking": "Breaking only: {value}",
    "btn_quiet_off": "No quiet hours",
    "mute_usage": (
        "For how long? For example <code>/mute 30m</code>, <code>/mute 2h</code>, "
        "<code>/mute 1d</code>, or tap a button."
    ),
    "mute_bad": (
        "“{value}” is not a duration. Use a number with m, h, d or w: "
        "<code>/mute 30m</code>, <code>/mute 2h</code>, <code>/mute 1d</code>."
    ),
    "muted": "🔕 Muted for {duration}, until {when}. /unmute resumes alerts.",
    "unmuted": "🔔 Alerts are back on.",
    "not_muted": "Alerts are not muted.",
    "latest_title": "<b>Latest stories</b>",
    "latest_empty": "No stories yet.",
    "latest_outlets": "{n} outlets",
    "breaking": "breaking",
    "stopped": (
        "You are unsubscribed. Your settings are kept: /start brings them back."
    ),
    "stopped_already": "This chat is not subscribed. /start subscribes it.",
    "admin_only": "This command is for the bot's administrators.",
    "group_admin_only": "Only this group's administrators can change its settings.",
    "status": (
        "<b>Status</b>\n"
        "Feeds: {total} ({ok} healthy, {failing} failing, {dead} dead)\n"
        "{dead_list}{failing_list}"
        "Outbox: {depth} not yet delivered{pending}\n"
        "Alerts in the last 24 h: {alerts}\n"
        "Subscribers: {subscribers}\n"
        "Last poll: {last_poll}"
    ),
    "status_dead": "Dead feeds: {items}\n",
    "status_pending": " ({n} being sent)",
    "status_failing": "Failing feeds: {items}\n",
    "never": "never",
    "and_more": "… and {n} more",
    "reload_ok": "✅ Configuration reloaded.",
    "reload_failed": (
        "❌ The configuration has errors, so the old one keeps running:\n<pre>{errors}</pre>"
    ),
    "unknown": "I don't know {command}. Here is what I can do:\n\n{help}",
    "text_hint": "I only understand commands. Send /help to see them.",
    "error": "Something went wrong on my side. Please try again in a minute.",
    "toast_on": "{item}: on",
    "toast_off": "{item}: off",
    "toast_saved": "Saved",
    "toast_failed": "Something went wrong; send the command again.",
    "toast_stale": "This menu is out of date; send the command again.",
}

_RU: dict[str, str] = {
    "welcome_new": (
        "👋 <b>Добро пожаловать в eventwatch!</b> Этот чат подписан.\n\n"
        "Вы получите короткое оповещение, когда СМИ сообщат:\n{rules}\n\n"
        "Страны: {countries}\n"
        "Доставка: {mode}. Сообщения разных изданий об одном событии собираются "
        "в одно оповещение.\n\n"
        "/rules и /countries — что получать, /settings — как и когда, "
        "/mute — пауза, /stop — отписаться, /help — все команды."
    ),
    "welcome_back": "👋 <b>С возвращением!</b> Ваши прежние настройки восстановлены.\n\n{summary}",
    "already": "✅ Этот чат уже подписан.\n\n{summary}",
    "summary": (
        "<b>Правила:</b> {rules}\n<b>Страны:</b> {countries}\n<b>Доставка:</b> {mode}\n"
        "<b>Только срочное:</b> {breaking}\n<b>Тихие часы:</b> {quiet}\n"
        "<b>Часовой пояс:</b> {tz}\n<b>Пауза:</b> {muted}"
    ),
    "all_n": "все ({n})",
    "some_of": "{k} из {n}: {items}",
    "nothing": "ни одного",
    "on": "вкл",
    "off": "выкл",
    "no": "нет",
    "quiet_range": "{start}–{end} ({tz})",
    "muted_until": "до {when}",
    "mode_instant": "сразу",
    "mode_hourly": "сводка раз в час",
    "mode_daily": "сводка раз в день",
    "help": (
        "<b>eventwatch</b> следит за новостными лентами и присылает короткое оповещение, "
        "когда СМИ сообщают о событии, которое вы отслеживаете.\n\n"
        "/start — подписаться (после /stop — с прежними настройками)\n"
        "/rules — какие события\n"
        "/countries — какие страны\n"
        "/settings — сразу или сводкой, только срочное, тихие часы\n"
        "/mute 2h — пауза (30m, 2h, 1d…)\n"
        "/unmute — снять паузу\n"
        "/latest — последние 5 сюжетов\n"
        "/stop — отписаться (настройки сохранятся)\n"
        "/help — эта справка"
    ),
    "help_group": "\n\nВ группе настройки меняют только её администраторы.",
    "help_admin": (
        "\n\n<b>Администратору:</b>\n/status — ленты, очередь, оповещения, подписчики\n"
        "/reload — перечитать конфигурацию"
    ),
    "not_subscribed": "Этот чат ещё не подписан. Сначала отправьте /start.",
    "inactive_note": "\n\n<i>Оповещения для этого чата остановлены; /start их возобновит.</i>",
    "rules_title": "<b>Правила</b>: нажмите, чтобы включить или выключить.",
    "rules_empty": "Сейчас не загружено ни одного правила.",
    "rules_all_off": "\n\n⚠️ Все правила выключены: чат ничего не будет получать.",
    "countries_title": "<b>Страны</b>: нажмите, чтобы включить или выключить.",
    "countries_all_off": "\n\n⚠️ Все страны выключены: чат ничего не будет получать.",
    "btn_all": "✅ Все",
    "btn_none": "▫️ Ни одного",
    "settings": (
        "<b>Настройки</b>\n{summary}\n\n"
        "Нажмите кнопку или напишите:\n"
        "<code>/settings mode instant</code> (или hourly, daily)\n"
        "<code>/settings breaking on</code> (или off)\n"
        "<code>/settings quiet 22-07 Asia/Almaty</code> — с 22:00 до 07:00 по вашему времени "
        "оповещения ждут и приходят после окончания тихих часов\n"
        "<code>/settings quiet off</code>\n"
        "<code>/settings tz Europe/Moscow</code> (или UTC+3) — ваш часовой пояс"
    ),
    "settings_usage": (
        "Не понял. Примеры:\n"
        "<code>/settings mode hourly</code>\n<code>/settings breaking on</code>\n"
        "<code>/settings quiet 22-07 Asia/Almaty</code>\n<code>/settings quiet off</code>\n"
        "<code>/settings tz UTC+3</code>"
    ),
    "bad_quiet": (
        "«{value}» — не интервал времени. Укажите часы, например <code>22-07</code> или "
        "<code>22:30-07:00</code>."
    ),
    "bad_tz": (
        "Не знаю часовой пояс «{value}». Укажите название, например <code>Europe/Moscow</code> "
        "или <code>Asia/Almaty</code>, или смещение, например <code>UTC+3</code>."
    ),
    "set_mode": "Доставка: {mode}.",
    "set_breaking": "Только срочное: {value}.",
    "set_quiet": "Тихие часы: {quiet}.",
    "set_quiet_off": "Тихие часы выключены.",
    "set_tz": "Часовой пояс: {tz}.",
    "btn_mode_instant": "Сразу",
    "btn_mode_hourly": "Сводка раз в час",
    "btn_mode_daily": "Сводка раз в день",
    "btn_breaking": "Только срочное: {value}",
    "btn_quiet_off": "Без тихих часов",
    "mute_usage": (
        "На сколько? Например <code>/mute 30m</code>, <code>/mute 2h</code>, "
        "<code>/mute 1d</code> или нажмите кнопку."
    ),
    "mute_bad": (
        "«{value}» — не длительность. Число и единица m, h, d или w (можно м, ч, д): "
        "<code>/mute 30m</code>, <code>/mute 2ч</code>, <code>/mute 1d</code>."
    ),
    "muted": "🔕 Пауза на {duration}, до {when}. /unmute снимет паузу.",
    "unmuted": "🔔 Оповещения снова включены.",
    "not_muted": "Оповещения не на паузе.",
    "latest_title": "<b>Последние сюжеты</b>",
    "latest_empty": "Сюжетов пока нет.",
    "latest_outlets": "изданий: {n}",
    "breaking": "срочно",
    "stopped": "Вы отписались. Настройки сохранены: /start вернёт их.",
    "stopped_already": "Этот чат не подписан. /start подпишет его.",
    "admin_only": "Эта команда — только для администраторов бота.",
    "group_admin_only": "Настройки группы могут менять только её администраторы.",
    "status": (
        "<b>Состояние</b>\n"
        "Ленты: {total} (исправны {ok}, с ошибками {failing}, мёртвые {dead})\n"
        "{dead_list}{failing_list}"
        "Очередь: не доставлено {depth}{pending}\n"
        "Оповещений за 24 ч: {alerts}\n"
        "Подписчиков: {subscribers}\n"
        "Последний опрос: {last_poll}"
    ),
    "status_dead": "Мёртвые ленты: {items}\n",
    "status_pending": " (отправляются: {n})",
    "status_failing": "Ленты с ошибками: {items}\n",
    "never": "не было",
    "and_more": "… и ещё {n}",
    "reload_ok": "✅ Конфигурация перечитана.",
    "reload_failed": (
        "❌ В конфигурации ошибки, поэтому работает прежняя:\n<pre>{errors}</pre>"
    ),
    "unknown": "Не знаю команду {command}. Вот что я умею:\n\n{help}",
    "text_hint": "Я понимаю только команды. Отправьте /help, чтобы их увидеть.",
    "error": "У меня что-то пошло не так. Попробуйте ещё раз через минуту.",
    "toast_on": "{item}: вкл",
    "toast_off": "{item}: выкл",
    "toast_saved": "Сохранено",
    "toast_failed": "Что-то пошло не так; отправьте команду ещё раз.",
    "toast_stale": "Это меню устарело; отправьте команду ещё раз.",
}

TEXTS: dict[Lang, dict[str, str]] = {"en": _EN, "ru": _RU}


def t(lang: str, key: str, **kwargs: object) -> Html:
    """The template `key` in `lang`, with every non-Html argument escaped."""
    table = TEXTS["ru"] if lang == "ru" else TEXTS["en"]
    template = table[key]
    safe = {k: v if isinstance(v, Html) else esc(v) for k, v in kwargs.items()}
    return Html(template.format(**safe))


def plain(lang: str, key: str, **kwargs: object) -> str:
    """For plain-text places (button labels, callback answers): nothing is escaped."""
    table = TEXTS["ru"] if lang == "ru" else TEXTS["en"]
    return table[key].format(**kwargs)
