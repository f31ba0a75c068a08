"""One country naming for alerts and menus: `bot.delivery.countries`."""

from __future__ import annotations

import pytest

from bot.delivery import countries
from bot.delivery.render import render_alert, render_digest
from bot.delivery.subscribers import Subscriber
from bot.telegram.keyboards import countries_keyboard
from bot.types import Alert, AlertKind
from detectors.types import Severity

CODES = ("KG", "KZ", "RU", "US", "CZ", "MD", "KP", "TM", "DE", "GB", "IR", "TW")


def _alert(code: str, language: str) -> Alert:
    return Alert(id="a1", kind=AlertKind.NEW, story_id="s1", rule="protest", countries=(code,),
                 severity=Severity.HIGH, title="Protest", summary="A protest.", figures={},
                 url="https://news.example/a", source="Example", published=None,
                 language=language)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_alert_and_countries_menu_name_a_country_the_same_way(language: str) -> None:
    keyboard = countries_keyboard(Subscriber(chat_id=1), CODES, language)
    buttons = [b.text for row in keyboard.inline_keyboard for b in row]
    for code in CODES:
        label = countries.label(code, language)
        assert any(b.endswith(" " + label) for b in buttons), (code, buttons)
        assert label in render_alert(_alert(code, language), language=language).text
        digest = render_digest([_alert(code, language)], language=language)
        assert label in digest[0].text


def test_everyday_names_one_choice_per_country() -> None:
    assert countries.name("KG", "ru") == "Киргизия" and countries.name("KG") == "Kyrgyzstan"
    assert countries.name("US") == "USA" and countries.name("US", "ru") == "США"
    assert countries.name("CZ") == "Czechia" and countries.name("CZ", "ru") == "Чехия"
    assert countries.name("IR") == "Iran"  # ISO's common name, not "Iran, Islamic Republic of"
    assert countries.name("TW", "ru") == "Тайвань"  # the Russian of the common name
    assert countries.name("RU", "ru") == "Россия" and countries.name("RU") == "Russia"
    assert countries.name("kz", "ru") == "Казахстан"


def test_bad_codes_have_no_flag_and_keep_the_code() -> None:
    for bad in ("XX", "??", "KAZ", ""):
        assert countries.flag(bad) == ""
    assert countries.label("XX") == "XX" and countries.name("XX", "ru") == "XX"
    assert countries.label("kz") == "🇰🇿 Kazakhstan"
