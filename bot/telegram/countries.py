"""Country display: flag emoji from ISO 3166-1 alpha-2 codes, names in English and Russian."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

# Short everyday names where pycountry's are formal ("Russian Federation").
_EN = {"RU": "Russia", "IR": "Iran", "KP": "North Korea", "KR": "South Korea",
       "MD": "Moldova", "SY": "Syria", "VE": "Venezuela", "BO": "Bolivia", "TZ": "Tanzania",
       "VN": "Vietnam", "LA": "Laos"}
# The CSTO states and neighbours, as Russian-language news names them.
_RU = {"AM": "Армения", "BY": "Беларусь", "KZ": "Казахстан", "KG": "Киргизия",
       "RU": "Россия", "TJ": "Таджикистан", "UZ": "Узбекистан", "AZ": "Азербайджан",
       "GE": "Грузия", "UA": "Украина", "MD": "Молдова", "TM": "Туркмения"}


def flag(code: str) -> str:
    """🇰🇿 for "KZ": two regional indicator symbols."""
    code = code.upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return "🏳"
    return "".join(chr(0x1F1E6 + ord(c) - ord("A")) for c in code)


@cache
def _ru_catalog() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    except OSError:
        return gettext.NullTranslations()


def name(code: str, language: str = "en") -> str:
    code = code.upper()
    if language == "ru" and code in _RU:
        return _RU[code]
    if language == "en" and code in _EN:
        return _EN[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    english = getattr(country, "common_name", None) or country.name
    if language == "ru":
        return _ru_catalog().gettext(country.name)
    return str(english)


def label(code: str, language: str = "en") -> str:
    return f"{flag(code)} {name(code, language)}"
