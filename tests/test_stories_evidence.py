"""Story evidence read from headline and lead (issue 12): the places named, whatever rule
matched (not the dateline's), the names given in either script, the counts, the weekdays
that place a report with only a date, or none, and the story's day a follow-up names."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.config.settings import StorySettings
from bot.stories.codec import dump_story, load_story
from bot.stories.decisions import (
    create,
    in_window,
    make_report,
    merge,
    report_facts,
    story_facts,
)
from bot.stories.judge import Facts, features, judge_facts
from bot.stories.places import country_of, named_places, spread_region_noun, strip_dateline
from bot.stories.similarity import lead, name_key, names, weekdays
from bot.stories.types import Report
from bot.types import Entry
from detectors.types import Detection, Severity

DAY = 86400.0
# Tuesday 4 January 2022, noon UTC; its date alone is the span of a date-only report.
TUESDAY = datetime(2022, 1, 4, 12, tzinfo=UTC).timestamp()
TUESDAY_DATE = (TUESDAY - 12 * 3600 - 14 * 3600, TUESDAY - 12 * 3600 + 36 * 3600)

ALMATY_EN = ("Kazakhstan declares state of emergency in Almaty",
             "President Kassym-Jomart Tokayev declared a state of emergency in Almaty and "
             "Mangystau region on Wednesday after protests over fuel prices turned violent. "
             "Talks with Russia on the situation were held later.")
ALMATY_RU = ("В Алматы ввели режим чрезвычайного положения",
             "Президент Казахстана Касым-Жомарт Токаев в среду ввел режим ЧП в Алматы и "
             "Мангистауской области. Протесты начались из-за роста цен на газ.")
SHYMKENT_RU = ("В Шымкенте задержаны участники митинга",
               "Полиция Шымкента задержала около 40 участников несанкционированного митинга.")
BELGOROD_RU = ("В Белгородской области объявлен режим ЧС",
               "Губернатор Белгородской области Вячеслав Гладков объявил режим ЧС "
               "регионального характера после обстрела.")
BATKEN_EN = ("Kyrgyz and Tajik forces clash on border",
             "Kyrgyz border guards said Tajik forces opened fire near a village in Batken "
             "region on Friday.")
YEREVAN_EN = ("Thousands rally in Yerevan",
              "Thousands of protesters gathered in central Yerevan on Sunday to demand the "
              "prime minister's resignation.")


def places(story: tuple[str, str], language: str) -> tuple[str, ...]:
    title, text = story
    return named_places(title, lead(text), language)


def test_places_named_at_their_finest_level_in_both_languages_issue12() -> None:
    # The city and the region, not their country; a partner ("talks with Russia") is no
    # place, and it is past the lead's first sentences anyway.
    assert set(places(ALMATY_EN, "en")) == {"city:KZ/almaty", "region:KZ/mangystau-region"}
    assert set(places(ALMATY_RU, "ru")) == {"city:KZ/almaty", "region:KZ/mangystau-region"}
    assert places(BELGOROD_RU, "ru") == ("region:RU/belgorod-region",)
    # A region of one country, and the other side's country through its adjective.
    assert set(places(BATKEN_EN, "en")) == {"region:KG/batken-region", "country:TJ"}
    assert places(("Protests", "Protesters gathered again."), "en") == ()
    assert country_of("city:KZ/almaty") == country_of("country:KZ") == "KZ"


def facts(story: tuple[str, str], language: str, **kw: object) -> Facts:
    base: dict[str, object] = {"named": places(story, language), "span": (0.0, 0.0)}
    base.update(kw)
    return Facts(**base)  # type: ignore[arg-type]


def test_places_named_are_evidence_for_and_against_issue12() -> None:
    same = features(facts(ALMATY_RU, "ru"), facts(ALMATY_EN, "en"))
    assert same["named_shared"] == 1 and same["named_apart"] == 0
    apart = features(facts(SHYMKENT_RU, "ru"), facts(ALMATY_EN, "en"))
    assert apart["named_apart"] == 1 and apart["named_shared"] == 0
    assert apart["named_no_country"] == 0  # both in Kazakhstan
    elsewhere = features(facts(YEREVAN_EN, "en"), facts(ALMATY_RU, "ru"))
    assert elsewhere["named_no_country"] == 1
    # A region against a city of its country: nothing said either way.
    region = features(facts(BELGOROD_RU, "ru"), facts(("", "Moscow police detained 30."), "en"))
    assert region["named_apart"] == 0 and region["named_no_country"] == 0


def test_weekdays_named_in_the_lead_inflected_issue12() -> None:
    assert weekdays(*YEREVAN_EN) == {6}
    assert weekdays(*ALMATY_RU) == {2}  # "в среду"
    assert weekdays("", "В ночь на субботу и в воскресенье прошли обыски.") == {5, 6}
    assert weekdays("", "Митинг прошел в понедельник, в пятницу его повторят.") == {0, 4}
    # "среда" is also the environment, "Пятницкая" a street: no weekday.
    assert weekdays("Защита окружающей среды", "Акция на Пятницкой улице.") == frozenset()
    # Only headline and lead: a weekday deep in the body places nothing.
    body = "Police detained 40. " * 3 + "On Monday a court will hear them."
    assert weekdays("", body) == frozenset()


def test_weekday_places_a_report_with_only_a_date_issue12() -> None:
    """A date-only report of a Tuesday naming "on Monday" and a timed report of Tuesday
    agree (its day or the day before); "on Friday" does not."""
    story = Facts(span=(TUESDAY, TUESDAY))
    monday = features(Facts(weekdays=frozenset({0}), span=TUESDAY_DATE, day_only=True), story)
    assert monday["weekday_shared"] == 1 and monday["weekday_conflict"] == 0
    friday = features(Facts(weekdays=frozenset({4}), span=TUESDAY_DATE, day_only=True), story)
    assert friday["weekday_conflict"] == 1 and friday["weekday_shared"] == 0
    # No time at all: compared with the weekdays the other side names.
    undated = features(Facts(weekdays=frozenset({6}), span=None),
                       Facts(weekdays=frozenset({6}), span=(TUESDAY, TUESDAY)))
    assert undated["weekday_shared"] == 1
    # Both sides timed: their times say it; the weekdays are not asked.
    timed = features(Facts(weekdays=frozenset({4}), span=(TUESDAY, TUESDAY)), story)
    assert timed["weekday_shared"] == timed["weekday_conflict"] == 0
    # A story of date-only reports is as loose as they are.
    dated_story = Facts(span=(TUESDAY, TUESDAY), day_only=True)
    assert features(Facts(weekdays=frozenset({4}), span=(TUESDAY, TUESDAY)),
                    dated_story)["weekday_conflict"] == 1


def report(story: tuple[str, str], language: str, published: datetime, *,
           day_only: bool = False, key: str = "a") -> Report:
    title, text = story
    entry = Entry(feed_id=key, key=key, url=f"https://{key}.example/", title=title, text=text,
                  published=published, language=language, content_hash=key, source=key,
                  day_only=day_only)
    detection = Detection(rule="state-of-emergency", countries=("KZ",),
                          severity=Severity.HIGH, score=1.0)
    return make_report(entry, [detection], now=published)


def test_stories_keep_places_weekdays_and_date_only_through_merge_and_codec() -> None:
    day = datetime(2022, 1, 5, tzinfo=UTC)
    first = report(ALMATY_RU, "ru", day, day_only=True)
    assert first.named and first.weekdays == {2}
    story = create(first, now=day).story
    assert story.day_only and story_facts(story).day_only
    later = report(ALMATY_EN, "en", day.replace(hour=15), key="b")
    merged = merge(story, later, StorySettings(), now=day.replace(hour=15)).story
    assert set(merged.named) == {"city:KZ/almaty", "region:KZ/mangystau-region"}
    assert merged.weekdays == (2,) and not merged.day_only  # now it has a time
    assert set(merged.names) >= {"almat", "tokae", "mangi"}
    loaded = load_story({b"state": dump_story(merged).encode(), b"rev": b"1"})
    assert loaded is not None
    assert replace(loaded, members=merged.members, rev=merged.rev) == merged
    assert loaded.stages == ("declared",)  # the stage goes through the codec


def test_an_extension_is_not_an_update_of_the_declaration_issue12() -> None:
    """The story keeps the first stage its reports gave; a report that leads with the
    regime extended is vetoed from it, one that gives no stage is not."""
    day = datetime(2022, 1, 5, tzinfo=UTC)
    story = create(report(ALMATY_EN, "en", day), now=day).story
    assert story.stages == ("declared",)
    extended = report(("Kazakhstan extends state of emergency in Almaty",
                       "President Tokayev extended the state of emergency in Almaty and "
                       "Mangystau region until January 19."), "en", day.replace(hour=9), key="b")
    assert extended.stages == {"extended"}
    got = judge_facts(report_facts(extended), story_facts(story))
    assert not got.same and got.reason.startswith("different stages of a decision")
    later = report(("Almaty streets empty", "Troops patrol Almaty after the state of "
                    "emergency."), "en", day.replace(hour=9), key="c")
    assert later.stages == set()
    merged = merge(story, later, StorySettings(), now=day.replace(hour=9)).story
    assert merged.stages == ("declared",)


def test_names_match_across_scripts_and_cases_issue12() -> None:
    for ru, en in (("Ереване", "Yerevan"), ("Токаев", "Tokayev"), ("Кыргызстане", "Kyrgyzstan"),
                   ("Хорог", "Khorog"), ("Джалал-Абадской", "Jalal-Abad"),
                   ("Лукашенко", "Lukashenko"), ("Александр", "Alexander"),
                   ("Шымкенте", "Shymkent"), ("Жанаозене", "Zhanaozen")):
        assert name_key(ru) == name_key(en) is not None, (ru, en)
    assert name_key("Минск") != name_key("Москва")
    assert name_key("Ош") is None  # too short to tell apart
    # The English and Russian reports of one decree name the same people and places.
    assert names(*ALMATY_EN) & names(*ALMATY_RU) >= {"almat", "tokae"}
    # A sentence's first word is capitalised whatever it is: only names inside count.
    assert "talks" not in names(*ALMATY_EN)


def test_names_and_counts_are_evidence_issue12() -> None:
    almaty_en, almaty_ru = names(*ALMATY_EN), names(*ALMATY_RU)
    shymkent, yerevan = names(*SHYMKENT_RU), names(*YEREVAN_EN)
    assert features(Facts(names=almaty_en), Facts(names=almaty_ru))["names_apart"] == 0
    assert features(Facts(names=shymkent), Facts(names=almaty_ru))["names_apart"] == 1
    assert features(Facts(names=yerevan), Facts())["names_apart"] == 0  # one side says none
    shared = features(Facts(numbers=frozenset({40, 2030})), Facts(numbers=frozenset({2030})))
    assert shared["numbers_shared"] == 1 and shared["numbers_conflict"] == 0
    other = features(Facts(numbers=frozenset({40})), Facts(numbers=frozenset({633})))
    assert other["numbers_shared"] == 0 and other["numbers_conflict"] == 1


def test_the_dateline_is_where_the_outlet_filed_not_a_place_named_issue12() -> None:
    # Two decrees of one day filed from the capital share its dateline and nothing else.
    region = ("", "NUR-SULTAN, January 5. /TASS/. President Tokayev declared a state of "
              "emergency in the Almaty region.")
    assert places(region, "en") == ("region:KZ/almaty-region",)
    assert places(("", "NUR-SULTAN. KAZINFORM – Tokayev declared a state of emergency in "
                   "the Almaty region."), "en") == ("region:KZ/almaty-region",)
    assert places(("", "МОСКВА, 8 окт — ПРАЙМ. В Белгородской области объявлен режим ЧС."),
                  "ru") == ("region:RU/belgorod-region",)
    assert places(("", "Москва, 10 января. В Белгородской области объявлен режим ЧС."),
                  "ru") == ("region:RU/belgorod-region",)
    # A country after the city is the dateline's too; what follows is read.
    assert strip_dateline("BAKU, Azerbaijan, Jan. 5 Trend: President") == (
        ", Jan. 5 Trend: President")
    assert strip_dateline("YEREVAN (Azatutyun) — Police") == " (Azatutyun) — Police"
    # A place inside the lead, or a lead that opens with a word and no dateline, stays.
    assert "city:BY/minsk" in places(("", "MINSK — Police in Minsk detained 40 people."), "en")
    assert strip_dateline("Police in Minsk detained 40.") == "Police in Minsk detained 40."
    assert places(("", "Minsk police detained 40 people."), "en") == ("city:BY/minsk",)



def test_a_plural_region_noun_makes_every_name_of_its_list_a_region_issue12() -> None:
    """ "the Pavlodar, Atyrau and Mangystau regions" names three regions, not the cities
    Pavlodar and Atyrau: a nationwide decree and the Almaty-region one name different
    places."""
    assert named_places("", "A state of emergency was declared in the North Kazakhstan, "
                        "Pavlodar, Atyrau and Mangystau regions.", "en") == (
        "region:KZ/north-kazakhstan-region", "region:KZ/pavlodar-region",
        "region:KZ/atyrau-region", "region:KZ/mangystau-region")
    assert named_places("", "Режим ЧП введен в Павлодарской, Атырауской и Мангистауской "
                        "областях.", "ru") == (
        "region:KZ/pavlodar-region", "region:KZ/atyrau-region", "region:KZ/mangystau-region")
    # Often with no "and": "… Zhambyl, Atyrau regions and Shymkent city".
    assert named_places("", "a decree imposing the state of emergency in Zhambyl, Atyrau "
                        "regions and Shymkent city", "en") == (
        "region:KZ/zhambyl-region", "region:KZ/atyrau-region", "city:KZ/shymkent")
    # Each adjective takes the noun in its own case; districts alike.
    assert spread_region_noun("в Павлодарскую и Атыраускую области") == (
        "в Павлодарскую область и Атыраускую область")
    assert spread_region_noun("в Тулунском и Зиминском районах") == (
        "в Тулунском районе и Зиминском районе")
    # Cities stay cities; a list of another gender's adjectives is left as it is.
    assert named_places("", "Police in Almaty and Shymkent detained 40.", "en") == (
        "city:KZ/almaty", "city:KZ/shymkent")
    assert spread_region_noun("в Курском и Белгородском областях") == (
        "в Курском и Белгородском областях")

# Monday 10 October 2022.
MONDAY = datetime(2022, 10, 10, tzinfo=UTC)
GROUPING = ("Belarus and Russia to deploy a joint regional grouping of troops",
            "Lukashenko announced the deployment of a joint regional grouping of troops.")


def test_a_story_of_date_only_reports_spans_their_days_issue12() -> None:
    """A date without a time is the whole of its day on the story's side too: a timed
    report 48 h after the end of that day may join, not 48 h after its midnight UTC."""
    settings = StorySettings()
    story = create(report(GROUPING, "en", MONDAY, day_only=True), now=MONDAY).story
    assert story.day_only
    within = report(GROUPING, "en", MONDAY + timedelta(days=2, hours=22), key="b")
    assert in_window(within, story, settings)
    timed = replace(story, day_only=False)  # the same moment, as an exact time
    assert not in_window(within, timed, settings)
    beyond = report(GROUPING, "en", MONDAY + timedelta(days=3, hours=22), key="b")
    assert not in_window(beyond, story, settings)
