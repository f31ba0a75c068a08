"""Classes of phrasing of emergency regimes and mass detentions that real news used and the
reference rules missed (issue 11, third round); each class in English and Russian, in our own
words, with the hard negative beside it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from detectors import Document, RuleSet
from detectors.numbers import find_quantities
from tests import cases


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return cases.load_rules()


CLASSES: list[tuple[str, str, dict[str, str]]] = [
    # regional emergency levels, with or without "режим"
    ("", "В Курганской области действует ЧС регионального характера из-за паводка.",
     {"state-of-emergency": "RU"}),
    ("", "В Амурской области объявлена ЧС межрегионального характера.",
     {"state-of-emergency": "RU"}),
    ("", "В Белгородской области введен средний уровень реагирования.",
     {"state-of-emergency": "RU"}),
    ("", "A medium response level was introduced in the Kursk region.",
     {"state-of-emergency": "RU"}),
    # Russian republics and their adjectives name Russia
    ("", "В Удмуртии введен режим ЧС из-за лесных пожаров.", {"state-of-emergency": "RU"}),
    ("", "В Чувашской Республике объявлен режим чрезвычайной ситуации.",
     {"state-of-emergency": "RU"}),
    # a standing curfew for children is no emergency
    ("Комендантский час для несовершеннолетних продлили на час",
     "Теперь «комендантский час» в Ижевске действует с 22:00 до 06:00.", {}),
    ("Juvenile curfew extended in Kazan", "The curfew now runs from 10 pm to 6 am.", {}),
    # a clock time does not cut the clause: the lifting reaches the regime
    ("", "Начальник УФСБ принял решение о снятии с 12:00 режима КТО в Нальчике.", {}),
    # "no decision" denies
    ("", "Никаких решений о введении военного положения в Курской области не принималось.", {}),
    ("", "No decision has been taken on martial law in the Kursk region, the Kremlin said.", {}),
    # a regime discussed is not declared
    ("", "The Kyrgyz government discussed introducing a state of emergency in Bishkek.", {}),
    ("", "Правительство Киргизии обсуждает введение режима ЧП в Бишкеке.", {}),
    # a proposal in the present tense
    ("Ввести в Бишкеке режим ЧС предлагает депутат", "Он выступил на заседании парламента.", {}),
    # a promise is a plan, not a lifting: the regime is still in force
    ("", "Президент пообещала отменить комендантский час в Оше 26 июня, пока в городе действует "
     "чрезвычайное положение.", {"state-of-emergency": "KG"}),
    # the aim of a regime is no lifting
    ("", "The president declared a state of emergency in Yerevan as he sought to end the "
     "violence.", {"state-of-emergency": "AM"}),
    # who backs a government is not where it acts; a past leader places what he ordered
    ("", "The Russian-backed interim government of Roza Otunbayeva declared a state of "
     "emergency.", {"state-of-emergency": "KG"}),
    ("", "Kocharyan declared a state of emergency after the clashes.",
     {"state-of-emergency": "AM"}),
    # a speaker and a possessor of a war are not where it happens
    ("", "Russia's invasion prompted Ukraine to declare martial law, Moscow said.", {}),
    ("", "The Defence Ministry of Belarus said a curfew was imposed in Gomel.",
     {"state-of-emergency": "BY"}),
    # "an undeclared state of emergency" is a figure of speech
    ("", "The opposition said Belarus lives under an undeclared state of emergency.", {}),
    ("", "Оппозиция считает, что в Беларуси действует необъявленное чрезвычайное положение.", {}),
    # a place, not a demonym of the same stem
    ("", "На юге Киргизии продлен комендантский час.", {"state-of-emergency": "KG"}),
    # a relative clause has its own subject: Moscow is not "in"
    ("", "Putin declared martial law in the Ukrainian regions that Moscow claims.", {}),
    # a regime that ran out is lifted
    ("", "Режим ЧП в Бишкеке закончился 10 мая.", {}),
    ("", "Введенный ранее в Бишкеке режим ЧП утратил силу.", {}),
    ("", "The state of emergency in Bishkek expired on Monday.", {}),
    # a drill that simulates an emergency
    ("", "In Almaty, a civil defence drill simulated a state of emergency.", {}),
    ("", "В Алматы прошли учения по действиям в условиях чрезвычайного положения.", {}),
    # the count after a verb of growth, a place between
    ("", "Число задержанных в Минске превысило 500.", {"mass-detention": "BY"}),
    ("", "The number of detainees in Almaty has risen to 8,000.", {"mass-detention": "KZ"}),
    # people taken to the police, held by law enforcement
    ("", "More than a hundred protesters were taken to the police in Bishkek.",
     {"mass-detention": "KG"}),
    ("", "Hundreds were held by law enforcement in Moscow after the rally.",
     {"mass-detention": "RU"}),
    ("", "В Алматы в полицейских участках оказались десятки активистов.",
     {"mass-detention": "KZ"}),
    ("", "В изоляторах временного содержания Минска находится 21 участник акции.",
     {"mass-detention": "BY"}),
    # a police station in Russian abbreviations; the rights group is no station
    ("", "В ОВД Москвы доставлены 60 участников пикета.", {"mass-detention": "RU"}),
    ("", "Юристы ОВД-Инфо консультируют 60 участников пикета в Москве.", {}),
    # a delayed flight or wage is no detention
    ("", "Вылет 150 пассажиров в Бишкек задержали на пять часов.", {}),
    ("", "В Оренбурге задержали зарплату 300 рабочим завода.", {}),
    # arrests en masse
    ("", "Police in Magas began arresting opposition activists en masse.",
     {"mass-detention": "RU"}),
    ("", "В Астане полиция массово задерживала участников митинга.",
     {"mass-detention": "KZ"}),
    # people who "could" join are the detainees, not a possibility
    ("", "Mass detentions of activists who could join the march were carried out in Minsk.",
     {"mass-detention": "BY"}),
    ("", "Полицейские в Алматы задержали около сорока возможных организаторов акции.",
     {"mass-detention": "KZ"}),
    # oblique number words
    ("", "В Ростове задержали около шестидесяти участников марша.", {"mass-detention": "RU"}),
    ("", "В Минске задержали более полутора десятков человек.", {}),
    # a term of arrest is a duration, not a count
    ("", "В Бресте задержали почти 50 активистов, 30 из них арестованы на срок до 15 суток.",
     {"mass-detention": "BY"}),
    # regional news names the district, not the country
    ("Режим ЧС ввели в Зиминском районе из-за паводков", "Решение принял мэр района.",
     {"state-of-emergency": "RU"}),
    ("", "В Пенджикентском районе объявлен режим чрезвычайной ситуации после селей.",
     {"state-of-emergency": "TJ"}),
    ("", "A state of emergency was declared in the Nookat district after mudflows.",
     {"state-of-emergency": "KG"}),
    # a regime said not to be in place, the negation far from its name
    ("", "Комендантский час в этих населенных пунктах Кордайского района не вводили.", {}),
    ("", "A curfew in the villages of the Karasai district has not been imposed, officials said.",
     {}),
    # police trying to clear a crowd act: the detentions happened
    ("", "Police tried to clear the square in Yerevan, detaining at least two dozen protesters.",
     {"mass-detention": "AM"}),
    ("", "Пытаясь разогнать митинг в Бишкеке, милиция задержала около сорока человек.",
     {"mass-detention": "KG"}),
    # Rosgvardia acts at home: what it does is in Russia when the sentence names no place
    ("", "ОМОН и Росгвардия проводили массовые задержания участников акции.",
     {"mass-detention": "RU"}),
    ("", "Rosgvardia officers carried out mass detentions of the protesters.",
     {"mass-detention": "RU"}),
    # Russian counts take the genitive singular after 22-24 and the nominative after 21
    ("", "23 мигранта, участвовавших в массовой драке на рынке, были задержаны в Москве.",
     {"mass-detention": "RU"}),
    ("", "21 мигрант, работавший на стройке в Химках, задержан в Москве.",
     {"mass-detention": "RU"}),
    ("", "3 мигранта, участвовавших в драке на рынке, были задержаны в Москве.", {}),
    # a memorial to a person is today's rally; one to past events looks back
    ("Police detain over 400 people in Moscow. In memory of Navalny, crowds lay flowers",
     "Crowds gathered at memorials across the city.", {"mass-detention": "RU"}),
    ("В Москве задержали более 400 человек. В память о Навальном люди несли цветы",
     "Люди собирались у мемориалов по всему городу.", {"mass-detention": "RU"}),
    ("Yerevan march in memory of the victims of March 1",
     "Hundreds marched through Yerevan on the anniversary of the 2008 events, after which a "
     "state of emergency was declared in the capital for 20 days.", {}),
    # a number that names a group is no count of the detained
    ("", "Members of Commission 44 were detained in Khorog over the weekend.", {}),
    ("", "Члены Комиссии 44 задержаны в Хороге.", {}),
]


@pytest.mark.parametrize(("title", "text", "expected"), CLASSES)
def test_classes_of_regimes_and_detentions_issue_11(rules: RuleSet, title: str, text: str,
                                                    expected: dict[str, str]) -> None:
    cases.assert_detects(rules, Document(title, text), expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("Armenia declared martial law on September 27.", {}),
    ("Armenia declared martial law on March 20.", {"state-of-emergency": "AM"}),
    ("Martial law has been in force in Armenia since September 27.",
     {"state-of-emergency": "AM"}),
    ("27 сентября в Армении ввели военное положение.", {}),
])
def test_a_date_months_before_publication_is_background_issue_11(
        rules: RuleSet, text: str, expected: dict[str, str]) -> None:
    published = datetime(2021, 3, 24, tzinfo=UTC)
    cases.assert_detects(rules, Document("", text, None, None, published), expected)


@pytest.mark.parametrize(("text", "value"), [
    ("около шестидесяти человек", 60), ("более двухсот задержанных", 200),
    ("двадцати пяти участников", 25), ("более полутора десятков человек", 15),
])
def test_russian_oblique_number_words_issue_11(text: str, value: int) -> None:
    assert [q.value for q in find_quantities(tuple(text.split()))] == [value]


@pytest.mark.parametrize("text", ["арестованы на 15 суток", "held for 30 days"])
def test_a_duration_is_not_a_count_issue_11(text: str) -> None:
    assert find_quantities(tuple(text.split())) == []


@pytest.mark.parametrize("text", ["members of Commission 44", "under Article 212",
                                  "члены Комиссии 44", "по статье 212"])
def test_a_number_that_names_a_thing_is_not_a_count_issue_11(text: str) -> None:
    assert find_quantities(tuple(text.lower().split())) == []
