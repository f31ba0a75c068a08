"""The bot's pure parts: argument parsing, texts in both languages, keyboards, flags."""

from __future__ import annotations

import string
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.delivery import countries
from bot.delivery.subscribers import Subscriber
from bot.feeds.health import FeedHealth
from bot.stories.types import Story
from bot.telegram.arguments import format_duration, parse_duration, parse_quiet, parse_timezone
from bot.telegram.keyboards import (
    MAX_CALLBACK,
    countries_keyboard,
    find_rule,
    mute_keyboard,
    parse,
    rule_data,
    rules_keyboard,
    settings_keyboard,
)
from bot.telegram.sources import rule_infos, status_report, story_summary
from bot.telegram.texts import TEXTS, Html, language_of, t
from bot.telegram.types import RuleInfo
from detectors.types import Severity


@pytest.mark.parametrize(("text", "expected"), [
    ("30m", timedelta(minutes=30)), ("2h", timedelta(hours=2)), ("1d", timedelta(days=1)),
    ("1h30m", timedelta(minutes=90)), ("1h 30m", timedelta(minutes=90)),
    ("2 ч", timedelta(hours=2)), ("3 дня", timedelta(days=3)), ("1w", timedelta(weeks=1)),
    ("45", timedelta(minutes=45)), ("400d", timedelta(days=365)),
])
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "soon", "2x", "0m", "h", "1h garbage", "-2h", "1.5h"])
def test_parse_duration_rejects(text: str) -> None:
    assert parse_duration(text) is None


def test_parse_quiet() -> None:
    assert parse_quiet("22-07") == (time(22), time(7))
    assert parse_quiet("22:30–07:15") == (time(22, 30), time(7, 15))
    for bad in ("25-07", "22-22", "22", "22-07-08", "ab-cd", "22:61-07"):
        assert parse_quiet(bad) is None, bad


def test_parse_timezone() -> None:
    assert parse_timezone("Asia/Almaty") == "Asia/Almaty"
    assert parse_timezone("europe/moscow") == "Europe/Moscow"
    assert parse_timezone("UTC+5") == "Etc/GMT-5"  # POSIX sign inversion
    assert parse_timezone("utc-3") == "Etc/GMT+3"
    assert parse_timezone("utc") == "UTC"
    for bad in ("Mars/Olympus", "UTC+20", "", "../etc/passwd"):
        assert parse_timezone(bad) is None, bad
    # every zone we return is accepted by the subscriber model
    Subscriber(chat_id=1, timezone=parse_timezone("UTC+14") or "")


def test_format_duration() -> None:
    assert format_duration(timedelta(hours=2, minutes=30)) == "2 h 30 min"
    assert format_duration(timedelta(days=1), "ru") == "1 д"


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_text_exists_in_both_languages_with_the_same_fields() -> None:
    en, ru = TEXTS["en"], TEXTS["ru"]
    assert en.keys() == ru.keys()
    for key in en:
        assert _fields(en[key]) == _fields(ru[key]), key


def test_t_escapes_arguments_but_not_html_fragments() -> None:
    out = t("en", "bad_tz", value="<script>&")
    assert "&lt;script&gt;&amp;" in out and "<code>" in out
    assert "<b>x</b>" in t("en", "welcome_back", summary=Html("<b>x</b>"))


def test_language_of() -> None:
    assert language_of("ru") == "ru" and language_of("ru-RU") == "ru"
    assert language_of("en") == "en" and language_of(None) == "en" and language_of("kk") == "en"


def test_flags_and_names() -> None:
    assert countries.flag("KZ") == "🇰🇿" and countries.flag("am") == "🇦🇲"
    assert countries.name("RU") == "Russia" and countries.name("RU", "ru") == "Россия"
    assert countries.name("KG", "ru") == "Киргизия"
    assert countries.name("DE", "ru") == "Германия"  # pycountry's Russian catalogue
    assert countries.name("DE") == "Germany"
    assert countries.name("XX") == "XX"


def test_callback_data_fits_64_bytes_even_for_long_rule_ids() -> None:
    long_id = "очень-длинное-имя-правила-" * 3
    rules = [RuleInfo("protest"), RuleInfo(long_id, {"en": "Long"})]
    data = rule_data(long_id)
    assert len(data.encode()) <= MAX_CALLBACK and data.startswith("r:h:")
    press = parse(data)
    assert press is not None and find_rule(press, rules) == rules[1]
    sub = Subscriber(chat_id=1)
    markups = [rules_keyboard(sub, rules, "en"), countries_keyboard(sub, ("KZ", "RU"), "ru"),
               settings_keyboard(sub, "en"), mute_keyboard("ru")]
    for markup in markups:
        for row in markup.inline_keyboard:
            for button in row:
                assert isinstance(button.callback_data, str)
                assert len(button.callback_data.encode()) <= MAX_CALLBACK
                assert parse(button.callback_data) is not None, button.callback_data


@pytest.mark.parametrize("data", ["", "x", "r:", "r:t:", "r:+:x", "s:m:", "s:z", "m:abc", "c:?"])
def test_parse_rejects_malformed_callback_data(data: str) -> None:
    assert parse(data) is None


def test_sources_convert_the_apps_records() -> None:
    rows = [FeedHealth("a", "A", "http://a", "ok"), FeedHealth("b", "B", "http://b", "dead"),
            FeedHealth("c", "C", "http://c", "failing"), FeedHealth("d", "D", "http://d", "new")]
    report = status_report(rows, outbox_depth=3, alerts_24h=9)
    assert (report.feeds_total, report.feeds_ok, report.failing, report.dead) == (
        4, 1, ("c",), ("b",))
    assert report.outbox_pending is None

    now = datetime(2026, 11, 25, tzinfo=UTC)
    story = Story(
        id="s1", rule="protest", first=now, last=now, title="T", url="https://x", source="X",
        language="en", summary="", published=now, countries=("KZ",), severity=Severity.LOW,
        figures={},
        alerted_countries=("KZ",), alerted_severity=Severity.LOW, alerted_figures={},
        sources=("X", "Y"), outlet_times=(0.0, 1.0), breaking=True)
    summary = story_summary(story)
    assert (summary.title, summary.outlets, summary.breaking, summary.updated) == (
        "T", 2, True, now)

    class Compiled:
        def __init__(self, id: str, titles: dict[str, str]) -> None:
            self.id, self.titles = id, titles

    infos = rule_infos([Compiled("protest", {"en": "Protests", "ru": "Протесты"})])
    assert infos == (RuleInfo("protest", {"en": "Protests", "ru": "Протесты"}),)
    assert infos[0].title("ru") == "Протесты" and infos[0].title("de") == "Protests"
