"""The places a report names in its headline and lead, whatever rule it matched.

A rule's detection knows where its event is, but many reports match no rule, or name the
place outside the matched sentence. Two reports of one event name the same city or
region ("Almaty", "Алматы"); look-alikes of one kind of event name different ones. The
names are found as the detectors find them (`detectors.locate.find_mentions` over the
gazetteer alone), and each place is kept at its finest level: a city or region drops
its country ("Almaty, Kazakhstan" is "city:KZ/almaty").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from functools import lru_cache

from detectors.gazetteer import country_place
from detectors.locate import PlaceRef, add_places, find_mentions, finest, place_names
from detectors.matcher import Matcher, MatcherBuilder
from detectors.tokens import analyse, guess_language
from detectors.types import Place

_MONTH = (r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|январ|феврал|март|апрел|ма[йяе]|"
          r"июн|июл|август|сентябр|октябр|ноябр|декабр)\w*\.?")
_CAPS = r"[A-ZА-ЯЁ][A-ZА-ЯЁ'’-]+(?:\s[A-ZА-ЯЁ][A-ZА-ЯЁ'’-]+)*"
_WORD = r"[A-ZА-ЯЁ][\w'’-]+"
# A dateline: where the outlet filed from, not where the event is ("NUR-SULTAN, January
# 5. /TASS/.", "MINSK — …", "YEREVAN (Azatutyun) —", "МИНСК, 10 октября, ФедералПресс.",
# "Москва, 10 января."): the city in capitals before a comma, stop, bracket or dash, or
# a capitalised city before a date; a country after the city is part of it
# ("BAKU, Azerbaijan, Jan. 5 Trend:").
_DATELINE = re.compile(
    rf"^\s*(?:{_CAPS}(?:,\s*{_WORD})?(?=\s*[,.(—–]|\s+-\s|-\s)"
    rf"|{_WORD}(?:,\s*{_WORD})?(?=,\s+(?:\d{{1,2}}\s+{_MONTH}|{_MONTH}\s+\d{{1,2}})))")


def strip_dateline(lead: str) -> str:
    """The lead without its dateline: two decrees filed from one capital share it."""
    return _DATELINE.sub("", lead, count=1)


# "in the Pavlodar, Atyrau and Mangystau regions", "в Павлодарской, Атырауской и
# Мангистауской областях": the plural noun after a list makes each name a region, not the
# city of the same name; each gets the noun in the singular, in its adjective's case.
_EN_NAME = r"[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)*"
_EN_LIST = re.compile(
    rf"\b((?:{_EN_NAME}, )+{_EN_NAME}(?:,? (?:and|&) {_EN_NAME})?|{_EN_NAME} (?:and|&) {_EN_NAME}) "
    r"(regions|provinces|oblasts|districts)\b")
_EN_SINGULAR = {"regions": "region", "provinces": "province", "oblasts": "oblast",
                "districts": "district"}
_RU_ADJ = r"[А-ЯЁ][а-яё-]+(?:ой|ей|ую|юю|ая|яя|ом|ем|ого|его|ий|ый)"
_RU_LIST = re.compile(
    rf"((?:{_RU_ADJ}, )+{_RU_ADJ}(?:,? и {_RU_ADJ})?|{_RU_ADJ} и {_RU_ADJ}) "
    r"(областях|областей|областям|областями|области|районах|районов|районам|районами|районы)\b")
_RU_SINGULAR = {
    "област": {"ой": "области", "ей": "области", "ую": "область", "юю": "область",
               "ая": "область", "яя": "область"},
    "район": {"ом": "районе", "ем": "районе", "ого": "района", "его": "района",
              "ий": "район", "ый": "район"},
}
_LIST_PARTS = re.compile(r",? (?:and|&|и) |, ")


def spread_region_noun(text: str) -> str:
    """ "the Pavlodar and Atyrau regions" → "the Pavlodar region and Atyrau region"."""

    def english(m: re.Match[str]) -> str:
        noun = _EN_SINGULAR[m.group(2)]
        return " and ".join(f"{n} {noun}" for n in _LIST_PARTS.split(m.group(1)))

    def russian(m: re.Match[str]) -> str:
        forms = _RU_SINGULAR["област" if m.group(2).startswith("област") else "район"]
        out = []
        for adj in _LIST_PARTS.split(m.group(1)):
            noun = next((n for end, n in forms.items() if adj.endswith(end)), None)
            if noun is None:
                return m.group(0)  # an adjective of another gender: not this list
            out.append(f"{adj} {noun}")
        return " и ".join(out)

    return _RU_LIST.sub(russian, _EN_LIST.sub(english, text))


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[Matcher, Mapping[int, PlaceRef]]:
    """An automaton of the gazetteer's names only (built once per process, ~1 s)."""
    builder = MatcherBuilder()
    places = add_places(builder, itertools.count().__next__)
    return builder.build(frozenset(places)), places


def warm() -> None:
    """Build the gazetteer's automaton now (a second or more), e.g. off the event loop."""
    _gazetteer()


def named_places(title: str, lead: str, language: str | None = None) -> tuple[str, ...]:
    """The places headline and lead name, finest first level ("city:KZ/almaty",
    "region:RU/belgorod-oblast", "country:AM"): a place's name or its country's
    adjective ("Kazakh police"), not a partner's ("talks with Turkey"), nor the city of
    the lead's dateline (`strip_dateline`); each name of a list before a plural "regions"
    is a region (`spread_region_noun`)."""
    title, lead = spread_region_noun(title), spread_region_noun(strip_dateline(lead))
    if not (title or lead):
        return ()
    matcher, refs = _gazetteer()
    lang = (language or guess_language(f"{title} {lead}")).lower()[:2]
    toks = analyse(title, lead, lang)
    found: list[Place] = []
    for m in find_mentions(toks, place_names(matcher.scan(toks).eager, refs)):
        if m.blocked or m.kind == "leader":
            continue
        found.append(m.place if m.kind == "place" and m.place else country_place(m.code))
    return tuple(f"{p.level}:{p.id}" for p in finest(found))


def country_of(place: str) -> str:
    """"city:KZ/almaty" → "KZ"."""
    return place.partition(":")[2].split("/")[0]
