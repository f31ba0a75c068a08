"""Country display, the one place for it: flag emoji and names in English and Russian.

Alerts (`bot.delivery.render`) and the Telegram menus (`bot.telegram`) both call this module, so
a country is named the same way everywhere. Names come from pycountry (ISO 3166-1 and
its Russian translation catalogue), preferring ISO's common name ("Iran", not "Iran,
Islamic Republic of"); a small table holds the everyday names news use where ISO's
read as formal or odd ("Российская Федерация", "Соединённые штаты").
"""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry

# One choice per country. Russian follows Russian-language news usage (as the
# agencies write it), e.g. "Киргизия", "Туркмения", "КНДР".
_EVERYDAY: dict[str, dict[str, str]] = {
    "en": {"RU": "Russia", "US": "USA", "PS": "Palestine", "CD": "DR Congo"},
    "ru": {"RU": "Россия", "US": "США", "GB": "Великобритания", "KG": "Киргизия",
           "TM": "Туркмения", "KP": "КНДР", "KR": "Южная Корея", "MD": "Молдова",
           "SY": "Сирия", "LA": "Лаос", "CD": "ДР Конго"},
}


def flag(code: str) -> str:
    """🇰🇿 for "KZ" (two regional indicator symbols); "" for anything not an ISO code."""
    code = code.upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return ""
    if pycountry.countries.get(alpha_2=code) is None:
        return ""  # "XX" would draw as two boxed letters, not a flag
    return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in code)


@lru_cache(maxsize=8)
def _catalog(language: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()


@lru_cache(maxsize=4096)
def name(code: str, language: str = "en") -> str:
    """The country's everyday name in `language` ("en" or "ru"); the code itself when
    it is not an ISO 3166-1 alpha-2 code. Other languages fall back to pycountry's
    catalogue for that language, then English."""
    code = code.upper()
    everyday = _EVERYDAY.get(language, {}).get(code)
    if everyday:
        return everyday
    record = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    if record is None:
        return code
    english = str(getattr(record, "common_name", None) or record.name)
    if language == "en":
        return english
    return _catalog(language).gettext(english)


def label(code: str, language: str = "en") -> str:
    """"🇰🇿 Kazakhstan": flag and name, without a stray space when there is no flag."""
    return f"{flag(code)} {name(code, language)}".strip()
