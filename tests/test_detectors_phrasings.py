"""Issue 4: wire-style phrasings in both languages (written for eventwatch), with the
events the reference rules must report under the CSTO scope, and nothing else."""

from __future__ import annotations

import pytest

from detectors import ALL, Document, RuleSet
from tests import cases


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return cases.load_rules()


PHRASINGS: list[tuple[str, dict[str, str]]] = [
    (
        "Kazakhstan's president declared a state of emergency in Almaty and Mangystau "
        "province on Wednesday after protests over fuel prices turned violent.",
        {"state-of-emergency": "KZ"},
    ),
    (
        "The first Russian paratroopers landed in Almaty on Thursday, the defence ministry "
        "said.",
        {"troop-deployment": "KZ"},
    ),
    (
        "Police in Belarus detained more than 700 people at protests across the country on "
        "Sunday, the Viasna rights group said.",
        {"mass-detention": "BY"},
    ),
    (
        "Russian police detained over 1,300 people at anti-war protests in dozens of cities, "
        "according to OVD-Info.",
        {"mass-detention": "RU"},
    ),
    (
        "Armenia's parliament lifted martial law imposed during the 2020 war with Azerbaijan.",
        {},
    ),
    (
        "Kyrgyz troops were deployed to the Batken region after clashes on the border with "
        "Tajikistan.",
        {"troop-deployment": "KG"},
    ),
    (
        "A curfew was imposed in the Kazakh city of Almaty, the mayor's office said.",
        {"state-of-emergency": "KZ"},
    ),
    (
        "Russia announced a partial mobilisation of reservists on Wednesday.",
        {"troop-deployment": "RU"},
    ),
    (
        "Hundreds of people were detained in Minsk after the disputed election.",
        {"mass-detention": "BY"},
    ),
    (
        "Kazakh authorities said 9,900 people had been detained following the unrest.",
        {"mass-detention": "KZ"},
    ),
    (
        "В Казахстане введено чрезвычайное положение до 19 января.",
        {"state-of-emergency": "KZ"},
    ),
    (
        "Более 200 человек задержаны в Москве на акции протеста, сообщает ОВД-Инфо.",
        {"mass-detention": "RU"},
    ),
    (
        "В Бишкеке ввели комендантский час.",
        {"state-of-emergency": "KG"},
    ),
    (
        "Власти Таджикистана ввели режим КТО в Хороге.",
        {"state-of-emergency": "TJ"},
    ),
    (
        "Минобороны России перебросило дополнительные подразделения в Белгородскую область.",
        {"troop-deployment": "RU"},
    ),
    (
        "Силовики задержали десятки участников несанкционированной акции в Ереване.",
        {"mass-detention": "AM"},
    ),
    (
        "Tokayev lifted the state of emergency in Almaty on January 19.",
        {},
    ),
    (
        "The Kremlin said it had no plans to send troops to Armenia.",
        {},
    ),
    (
        "Police detained a man suspected of the attack in Moscow.",
        {},
    ),
    (
        "В Минске задержаны трое активистов.",
        {},
    ),
    (
        "МЧС Казахстана провело учения по ликвидации последствий землетрясения в Алматы.",
        {},
    ),
    (
        "Российские войска проведут учения в Таджикистане в октябре.",
        {},
    ),
    (
        "Ten years ago, a state of emergency was declared in Zhanaozen after police fired on "
        "striking oil workers.",
        {},
    ),
    (
        "Armenia asked the CSTO to send peacekeepers to its border with Azerbaijan.",
        {},
    ),
    (
        "An emergency meeting of the CSTO Security Council was held in Moscow.",
        {},
    ),
    (
        "Пограничники Киргизии задержали 25 нарушителей границы.",
        {"mass-detention": "KG"},
    ),
    (
        "Russian troops have begun withdrawing from Kazakhstan, the CSTO said.",
        {},
    ),
    (
        "Belarus will deploy troops to its border with Ukraine, Lukashenko said.",
        {},
    ),
    (
        "Lukashenko ordered troops to the border with Poland.",
        {"troop-deployment": "BY"},
    ),
    (
        "В Дагестане задержаны более 150 участников беспорядков в аэропорту Махачкалы.",
        {"mass-detention": "RU"},
    ),
    (
        "Режим ЧС регионального характера введен в Оренбургской области из-за паводка.",
        {"state-of-emergency": "RU"},
    ),
    (
        "В Армении отменили военное положение.",
        {},
    ),
    (
        "Власти Киргизии продлили режим ЧП в Баткенской области.",
        {"state-of-emergency": "KG"},
    ),
    (
        "Russian National Guard units were sent to Dagestan after the riot at the airport.",
        {"troop-deployment": "RU"},
    ),
    (
        "Tajikistan mobilised 20,000 reservists and moved troops to the Afghan border.",
        {"troop-deployment": "TJ"},
    ),
    (
        "Протестующие потребовали ввести чрезвычайное положение в Ереване.",
        {},
    ),
    (
        "Суд в Минске арестовал 12 человек.",
        {},
    ),
    (
        "OMON officers detained at least 50 protesters in central Moscow on Saturday.",
        {"mass-detention": "RU"},
    ),
    (
        "The Russian Emergencies Ministry declared a federal emergency in the Kursk region.",
        {"state-of-emergency": "RU"},
    ),
    (
        "Prime Minister Pashinyan said there was no need to impose martial law in Armenia.",
        {},
    ),
    (
        "Russia has sent more than 3,000 troops to Kazakhstan as part of the CSTO mission, "
        "the defence ministry said.",
        {"troop-deployment": "KZ"},
    ),
    (
        "Armenian police detained 180 protesters who blocked streets in Yerevan on Monday.",
        {"mass-detention": "AM"},
    ),
    (
        "Kyrgyzstan declared a state of emergency in the Batken region after fighting on the "
        "border with Tajikistan.",
        {"state-of-emergency": "KG"},
    ),
    (
        "A curfew remains in place in Khorog, regional authorities said.",
        {"state-of-emergency": "TJ"},
    ),
    (
        "The authorities in Dushanbe extended the counter-terrorism operation regime in "
        "Gorno-Badakhshan.",
        {"state-of-emergency": "TJ"},
    ),
    (
        "Belarusian riot police arrested dozens of women at a march in Minsk.",
        {"mass-detention": "BY"},
    ),
    (
        "More than 2,000 people have been detained in Russia since the start of the protests,"
        " according to OVD-Info.",
        {"mass-detention": "RU"},
    ),
    (
        "Moscow denied reports that Russian troops had been deployed to Armenia.",
        {},
    ),
    (
        "The CSTO said its peacekeepers would leave Kazakhstan within ten days.",
        {},
    ),
    (
        "Rosgvardia deployed additional units to Moscow ahead of the rally.",
        {"troop-deployment": "RU"},
    ),
    (
        "Riot police were deployed in central Almaty.",
        {},
    ),
    (
        "Armenia marks the anniversary of the March 1, 2008 events, when a state of emergency"
        " was declared in Yerevan.",
        {},
    ),
    (
        "Tokayev said the state of emergency would be lifted on Wednesday.",
        {},
    ),
    (
        "Войска ОДКБ начали выход из Казахстана.",
        {},
    ),
    (
        "В Ереване задержали более 400 участников акций протеста.",
        {"mass-detention": "AM"},
    ),
    (
        "В Минске силовики задержали сотни человек.",
        {"mass-detention": "BY"},
    ),
    (
        "В Кыргызстане ввели режим чрезвычайной ситуации в Баткенской области.",
        {"state-of-emergency": "KG"},
    ),
    (
        "Росгвардия направила дополнительные силы в Дагестан.",
        {"troop-deployment": "RU"},
    ),
    (
        "Армия Армении приведена в полную боевую готовность.",
        {},
    ),
    (
        "В Москве отменили режим КТО.",
        {},
    ),
    (
        "Российские военные будут переброшены в Таджикистан в следующем году.",
        {},
    ),
    (
        "Режим контртеррористической операции, введенный в Белгородской области, продлен.",
        {"state-of-emergency": "RU"},
    ),
    (
        "В Подмосковье задержаны 35 мигрантов.",
        {"mass-detention": "RU"},
    ),
    (
        "В Бишкеке задержан подозреваемый в убийстве.",
        {},
    ),
    (
        "Суд в Бишкеке заочно арестовал 30 человек.",
        {},
    ),
    (
        "Полиция Алматы задержала 5 человек.",
        {},
    ),
    (
        "ОДКБ отправит миротворцев в Казахстан.",
        {},
    ),
    (
        "Kazakhstan will not ask the CSTO to send troops again, Tokayev said.",
        {},
    ),
    (
        "Thousands of troops from Russia, Belarus and Armenia arrived in Kazakhstan.",
        {"troop-deployment": "KZ"},
    ),
    (
        "The Interior Ministry said 2,500 people had been arrested in Kazakhstan since the "
        "riots began.",
        {"mass-detention": "KZ"},
    ),
    (
        "Tajik border guards detained 23 Afghan citizens who crossed the border illegally.",
        {"mass-detention": "TJ"},
    ),
    (
        "Martial law has been in force in Ukraine since February 2022.",
        {},
    ),
    (
        "В Казахстане продлили режим ЧП до 19 января.",
        {"state-of-emergency": "KZ"},
    ),
    (
        "Пашинян заявил, что не видит необходимости вводить военное положение.",
        {},
    ),
    (
        "In Belarus, more than 6,700 people were detained in the first days after the vote.",
        {"mass-detention": "BY"},
    ),
    (
        "Kazakhstan lifted the curfew in Almaty but the state of emergency remains in force "
        "until January 19.",
        {"state-of-emergency": "KZ"},
    ),
    (
        "Hundreds detained as Kazakhstan protests spread.",
        {"mass-detention": "KZ"},
    ),
    (
        "Dozens arrested in Minsk as women march against Lukashenko.",
        {"mass-detention": "BY"},
    ),
    (
        "Police and national guard troops were deployed in Almaty after the airport was "
        "seized.",
        {"troop-deployment": "KZ"},
    ),
    (
        "Putin signed a decree on partial mobilisation, the Kremlin said.",
        {"troop-deployment": "RU"},
    ),
    (
        "A state of emergency has been in effect in the Mangystau region since Wednesday.",
        {"state-of-emergency": "KZ"},
    ),
    (
        "Kazakhstan's Tokayev ends state of emergency in Almaty.",
        {},
    ),
    (
        "Armenia declares martial law, total mobilisation after clashes with Azerbaijan.",
        {"state-of-emergency": "AM", "troop-deployment": "AM"},
    ),
    (
        "В ходе протестов в Казахстане задержаны почти 10 тысяч человек.",
        {"mass-detention": "KZ"},
    ),
    (
        "Сотни задержанных в Алматы доставлены в отделы полиции.",
        {"mass-detention": "KZ"},
    ),
    (
        "В Армении введено военное положение и объявлена всеобщая мобилизация.",
        {"state-of-emergency": "AM", "troop-deployment": "AM"},
    ),
    (
        "Tokayev says CSTO troops will start leaving Kazakhstan in two days.",
        {},
    ),
    (
        "The team sent three players to the national squad in Almaty.",
        {},
    ),
    (
        "An emergency landing in Novosibirsk left 12 passengers injured.",
        {},
    ),
    (
        "Kazakh police detained 12 people suspected of looting shops in Almaty.",
        {},
    ),
    (
        "Tajikistan said Kyrgyz troops had entered its territory near Vorukh, a claim Bishkek"
        " denied.",
        {},
    ),
    (
        "Belarus moved troops and military equipment to the border with Lithuania on Monday.",
        {"troop-deployment": "BY"},
    ),
    (
        "Over 1,000 people were detained across Russia during protests in support of Navalny.",
        {"mass-detention": "RU"},
    ),
    (
        "Около 300 человек задержаны в Тбилиси.",
        {},
    ),
    (
        "A regime of counter-terrorist operation was introduced in Makhachkala on Sunday.",
        {"state-of-emergency": "RU"},
    ),
    (
        "Число задержанных в Минске превысило 500 человек.",
        {"mass-detention": "BY"},
    ),
    (
        "Колонна бронетехники движется в сторону Алматы.",
        {"troop-deployment": "KZ"},
    ),
    (
        "В Бишкеке введен режим повышенной готовности из-за паводков.",
        {},
    ),
    (
        "Войска вошли в Алматы утром в четверг.",
        {"troop-deployment": "KZ"},
    ),
    (
        "Police reinforcements were sent to Almaty.",
        {},
    ),
    (
        "Additional police units were deployed in central Minsk.",
        {},
    ),
    (
        "В центр Минска стянули ОМОН и внутренние войска.",
        {"troop-deployment": "BY"},
    ),
    (
        "В Алматы направлены дополнительные наряды полиции.",
        {},
    ),
    (
        "Turkey sent reinforcements to Idlib.",
        {},
    ),
    (
        "Kazakh customs officers detained 40 trucks carrying sanctioned goods at the border "
        "with Russia.",
        {},
    ),
    (
        "Police in Bishkek detained 25 vehicles during a raid on illegal taxis.",
        {},
    ),
    (
        "Сборная России прибыла в Минск на товарищеский матч.",
        {},
    ),
    (
        "Армия болельщиков прибыла в Ереван.",
        {},
    ),
    (
        "Задержка зарплаты: 300 рабочих завода в Караганде вышли на забастовку.",
        {},
    ),
]


@pytest.mark.parametrize("text,expected", PHRASINGS)
def test_phrasings_issue_4(rules: RuleSet, text: str, expected: dict[str, str]) -> None:
    cases.assert_detects(rules, Document("", text), expected)


HEADLINES: list[tuple[str, dict[str, str]]] = [
    ("Russia-led bloc to send troops to Kazakhstan",
     {}),
    ("CSTO agrees to send peacekeepers to Kazakhstan",
     {}),
    ("CSTO peacekeepers arrive in Kazakhstan",
     {"troop-deployment": "KZ"}),
    ("Kazakhstan declares state of emergency in Almaty",
     {"state-of-emergency": "KZ"}),
    ("Kazakh president asks Russia-led bloc for help",
     {}),
    ("Armenia: police detain dozens of protesters in Yerevan",
     {"mass-detention": "AM"}),
    ("Belarus election: thousands detained as protests continue",
     {"mass-detention": "BY"}),
    ("В Казахстане ввели режим ЧП",
     {"state-of-emergency": "KZ"}),
    ("ОДКБ направит миротворцев в Казахстан",
     {}),
    ("Миротворцы ОДКБ прибыли в Казахстан",
     {"troop-deployment": "KZ"}),
    ("В Ереване задержаны десятки демонстрантов",
     {"mass-detention": "AM"}),
    ("Токаев отменил режим ЧП в Алматы",
     {}),
]


@pytest.mark.parametrize("title,expected", HEADLINES)
def test_headlines_alone_issue_4(rules: RuleSet, title: str, expected: dict[str, str]) -> None:
    cases.assert_detects(rules, Document(title, ""), expected)


def test_a_past_year_is_background_by_the_date_not_by_a_verb_of_recalling(rules: RuleSet) -> None:
    """"напомнил" reports today's news as often as it recalls the past; the year decides."""
    from datetime import UTC, datetime

    text = "В январе 2022 года в Казахстан были введены миротворцы ОДКБ, напомнил эксперт."
    late = Document("", text, "ru", published=datetime(2024, 3, 1, tzinfo=UTC))
    fresh = Document("", text, "ru", published=datetime(2022, 1, 7, tzinfo=UTC))
    assert [d.rule for d in rules.detect(late)] == []
    assert [(d.rule, d.countries) for d in rules.detect(fresh)] == [("troop-deployment", ("KZ",))]


def test_a_date_later_in_the_year_than_the_article_is_last_years(rules: RuleSet) -> None:
    """"on September 27" with no year, in an article of March, is last year's background;
    "until 27 September" is a term, and a date in the article's own month is news."""
    from datetime import UTC, datetime

    march = datetime(2021, 3, 24, tzinfo=UTC)
    en = "Armenia declared a general mobilization on September 27 after the attack."
    ru = "27 сентября Армения объявила всеобщую мобилизацию."
    for text, language in ((en, "en"), (ru, "ru")):
        assert rules.detect(Document("", text, language, published=march)) == ()
        october = Document("", text, language, published=datetime(2020, 9, 28, tzinfo=UTC))
        assert [d.rule for d in rules.detect(october)] == ["troop-deployment"]
    until = "Армения продлила всеобщую мобилизацию до 27 сентября."
    assert [d.rule for d in rules.detect(Document("", until, "ru", published=march))] == [
        "troop-deployment"]


# Issue 11: classes of phrasing from real news, each in both languages.
REAL_NEWS_CLASSES: list[tuple[str, str, dict[str, str]]] = [
    # a retrospective headline frames the whole article
    ("Almaty remembers the January events",
     "Two years ago almost 10,000 people were detained across Kazakhstan.", {}),
    ("В Алматы почтили память жертв январских событий",
     "Тогда в Казахстане были задержаны почти 10 тысяч человек.", {}),
    # but people detained at an anniversary rally today are news
    ("Dozens detained at rally on anniversary of protests in Minsk",
     "Police detained at least 40 people on Sunday.", {"mass-detention": "BY"}),
    # the far side of a border is not where the troops move
    ("", "Tajikistan is moving heavy armour to the border of Kyrgyzstan.",
     {"troop-deployment": "TJ"}),
    ("", "Таджикистан стягивает к границе Киргизии тяжелую бронетехнику.",
     {"troop-deployment": "TJ"}),
    # a country's ministry acts; it does not place the event
    ("", "МИД России заявил, что в Тегеране были задержаны сотни человек.", {}),
    # rescue crews, police forces and martial law are not troops
    ("", "Four fire brigades were dispatched to the scene in Yerevan.", {}),
    ("", "Спасательная техника была незамедлительно отправлена в аэропорт Минска.", {}),
    ("", "Large numbers of police forces were deployed near the parliament in Yerevan.", {}),
    # movement said in other words
    ("", "Kyrgyzstan is rushing reserve troops to the border area in Batken.",
     {"troop-deployment": "KG"}),
    ("", "Беларусь стягивает войска к границам Украины.", {"troop-deployment": "BY"}),
    ("", "Tajikistan has mobilized 20,000 military reservists.", {"troop-deployment": "TJ"}),
    # a place name the dictionary misreads still inflects as a place
    ("", "В Жанаозене введено чрезвычайное положение.", {"state-of-emergency": "KZ"}),
    ("", "В Сюнике размещены российские пограничники.", {"troop-deployment": "AM"}),
    # plans in a future verb; a law about a regime
    ("", "В Костанае объявят режим ЧС из-за паводков.", {}),
    ("", "Belarus has prepared amendments to the law on martial law.", {}),
    # detentions said in other words
    ("", "В Ереване полиция подвергла приводу 29 активистов.", {"mass-detention": "AM"}),
    ("", "In Minsk, 60 doctors and other health workers were detained on Saturday.",
     {"mass-detention": "BY"}),
]


@pytest.mark.parametrize(("title", "text", "expected"), REAL_NEWS_CLASSES)
def test_classes_of_real_news_phrasing_issue_11(rules: RuleSet, title: str, text: str,
                                                expected: dict[str, str]) -> None:
    cases.assert_detects(rules, Document(title, text), expected)


# Classes of phrasing that real news still missed after the first round of issue 11; each
# class in English and Russian, in our own words.
MORE_REAL_NEWS_CLASSES: list[tuple[str, str, dict[str, str]]] = [
    # a day's count ("за сутки") is a count; a term of arrest ("15 суток") is a duration
    ("", "За сутки в Гомеле задержали 150 участников акции.", {"mass-detention": "BY"}),
    ("", "Over the past day police in Gomel detained 150 protesters.", {"mass-detention": "BY"}),
    ("", "В Гомеле задержаны 30 человек, все получили по 15 суток ареста.",
     {"mass-detention": "BY"}),
    ("", "В Гомеле суд арестовал троих участников акции на 30 суток.", {}),
    ("", "A court in Gomel jailed three protesters for 30 days.", {}),
    # "several dozen" / "несколько десятков" are dozens, not one dozen
    ("", "Police in Osh detained several dozen supporters of the opposition leader.",
     {"mass-detention": "KG"}),
    ("", "В Оше полиция задержала несколько десятков сторонников оппозиции.",
     {"mass-detention": "KG"}),
    # a month next to a day is a date, not the modal "may"
    ("", "Police in Gyumri made some 150 arrests on Tuesday, May 14, during the protest.",
     {"mass-detention": "AM"}),
    ("", "Police in Gyumri may detain 150 protesters on May 14.", {}),
    ("", "14 мая в Гюмри полиция задержала около 150 человек.", {"mass-detention": "AM"}),
    # a common English word is not a foreign city: "dragged into vans"
    ("", "Riot police in Minsk detained hundreds of women, dragging them into vans.",
     {"mass-detention": "BY"}),
    # the headline or lead reports the end of a regime: its introduction is background
    ("Osh lifts its curfew", "Authorities lifted the curfew on Monday. The curfew was "
     "introduced in Osh on 11 June after the riots.", {}),
    ("В Оше отменили комендантский час", "Власти отменили комендантский час в понедельник. "
     "Напомним, комендантский час в Оше ввели 11 июня после беспорядков.", {}),
    # unless it goes on somewhere else
    ("Kazakhstan lifts state of emergency in two regions", "The state of emergency in Kostanay "
     "region was lifted on Friday. The state of emergency continues to be in effect in eight "
     "other regions of Kazakhstan.", {"state-of-emergency": "KZ"}),
    ("В двух областях Казахстана отменили режим ЧП", "Режим ЧП в Костанайской области снят. "
     "В восьми регионах Казахстана режим ЧП продолжает действовать.",
     {"state-of-emergency": "KZ"}),
    # a refusal to lift it, or a lifting still to come, leaves it in force
    ("Armenia's parliament refuses to lift martial law", "Deputies voted on Tuesday.",
     {"state-of-emergency": "AM"}),
    ("Парламент Армении отказался от отмены военного положения", "Депутаты голосовали во вторник.",
     {"state-of-emergency": "AM"}),
    ("Osh curfew will be lifted on 26 June", "The curfew has been in force in Osh since 11 June.",
     {"state-of-emergency": "KG"}),
    ("Комендантский час в Оше отменят 26 июня", "Комендантский час действует в Оше с 11 июня.",
     {"state-of-emergency": "KG"}),
    # a site's name after a bar is no place of the headline, nor a pair with its last word
    ("Kazakhstan sends peacekeepers to Lebanon | Kazakhstan news", "The company left on Monday.",
     {}),
    ("Казахстан направил миротворцев в Ливан | Новости Казахстана", "Рота вылетела в понедельник.",
     {}),
    # the situation somewhere is a cause; "несмотря на" is "despite", not a place
    ("", "Armenia declared martial law and a general mobilization due to the worsening "
     "situation in Nagorno-Karabakh.", {"state-of-emergency": "AM", "troop-deployment": "AM"}),
    ("", "Армения ввела военное положение и объявила всеобщую мобилизацию из-за обострения "
     "ситуации в Нагорном Карабахе.", {"state-of-emergency": "AM", "troop-deployment": "AM"}),
    ("", "Несмотря на то, что Бишкек и Душанбе договорились о перемирии, Таджикистан перебросил к "
     "границе танки.", {"troop-deployment": "TJ"}),
    # movement said in other words: reflexive, colloquial, delivered, moves
    ("", "Army units were deployed and the Kyrgyz army moves into Osh to restore order.",
     {"troop-deployment": "KG"}),
    ("", "Military transport aircraft delivered the first units of the contingent to Kazakhstan.",
     {"troop-deployment": "KZ"}),
    ("", "У здания парламента в Минске развернулись армейские подразделения.",
     {"troop-deployment": "BY"}),
    ("", "На операцию в Дагестане брошены подразделения внутренних войск.",
     {"troop-deployment": "RU"}),
    # "вошли в состав" is "were part of"; a duty mode is no movement
    ("", "Сотрудники Росгвардии вошли в состав сводного отряда в Дагестане.", {}),
    ("", "Таджикские военнослужащие на границе переведены на усиленное несение службы.", {}),
    ("", "Tajik servicemen at the border were switched to a heightened duty regime.", {}),
    # a condition is no event
    ("", "In case of escalation, Tajik troops can be moved to the border within hours.", {}),
    ("", "При обострении ситуации военные Таджикистана успеют выдвинуться к границе.", {}),
    # an infinitive headline or a consent is a plan; trains that began to arrive are news
    ("Russian troops to arrive in Belarus in coming days", "Minsk confirmed the plan.", {}),
    ("", "ОДКБ дала согласие на ввод войск в Казахстан.", {}),
    ("", "The first trains with Russian servicemen began to arrive in Belarus.",
     {"troop-deployment": "BY"}),
    ("", "Первые эшелоны с российскими военнослужащими начали прибывать в Беларусь.",
     {"troop-deployment": "BY"}),
    # a decision approved is taken, not planned
    ("", "The Kyrgyz parliament approved the decision to send 150 servicemen to Kazakhstan.",
     {"troop-deployment": "KZ"}),
    ("", "Парламент Киргизии одобрил решение о направлении 150 военнослужащих в Казахстан.",
     {"troop-deployment": "KZ"}),
    # call-ups said of people, in the passive; a rally's "mobilised" people are not
    ("", "In Buryatia at least 3,000 men were mobilised within a day.",
     {"troop-deployment": "RU"}),
    ("", "В Бурятии за сутки были мобилизованы не менее 3000 мужчин.", {"troop-deployment": "RU"}),
    ("", "The opposition mobilised thousands of people for the rally in Minsk.", {}),
    # the future of a relative clause does not make the mobilisation a plan
    ("", "Putin declared a partial mobilisation in Russia that will call up 300,000 reservists.",
     {"troop-deployment": "RU"}),
    ("", "Путин объявил в России частичную мобилизацию, которая затронет 300 тысяч резервистов.",
     {"troop-deployment": "RU"}),
    # not confirming is not reporting
    ("", "Moscow cannot confirm the information about the deployment of Russian troops to "
     "Kazakhstan.", {}),
    ("", "Москва не может подтвердить информацию о вводе российских войск в Казахстан.", {}),
    # forces on their way out, in the headline
    ("Russian peacekeepers leave Nagorno-Karabakh", "A convoy of peacekeepers arrived in Goris "
     "in Armenia to close the temporary sites.", {}),
    ("Российские миротворцы покидают Карабах", "Колонна миротворцев прибыла в Горис в Армении.",
     {}),
    # a prefix term reaches the -ing form ("reinforc*")
    ("", "Kyrgyz troops are reinforcing their positions in Batken.", {"troop-deployment": "KG"}),
    ("", "Киргизские военные усиливают позиции в Баткене.", {"troop-deployment": "KG"}),
    # the departments of a government "mobilised" are no troops
    ("", "In Dagestan the forces of all departments have been mobilized.", {}),
    ("", "В Дагестане мобилизованы силы всех ведомств.", {}),
    # last year is background
    ("", "Last year the CSTO sent troops to Kazakhstan.", {}),
    ("", "В прошлом году ОДКБ направила войска в Казахстан.", {}),
    # what a decree makes possible has not happened
    ("", "The new decree enables the deployment of additional troops to Batken.", {}),
    ("", "Новый указ позволит ввести в Баткен дополнительные войска.", {}),
    # "Russian cities" place an event; a clock and a war's target do not
    ("", "Hundreds of people were arrested at protests throughout major Russian cities. "
     "Explosions were heard in Kyiv.", {"mass-detention": "RU"}),
    ("", "Сотни человек задержаны на акциях в крупных российских городах. В Киеве слышны взрывы.",
     {"mass-detention": "RU"}),
    ("", "2:40 pm, Kyiv time. Minsk police say 30 protesters are still detained.",
     {"mass-detention": "BY"}),
    ("", "14:40 по киевскому времени. Милиция Минска сообщает, что 30 протестующих задержаны.",
     {"mass-detention": "BY"}),
    ("", "Moscow police detained hundreds of protesters angered by the invasion of Ukraine.",
     {"mass-detention": "RU"}),
    ("", "Московская полиция задержала сотни противников вторжения в Украину.",
     {"mass-detention": "RU"}),
    # a regime that is over, or that is not extended, has ended
    ("The state of emergency in Kyrgyzstan is over", "It was declared in Bishkek on 5 October.",
     {}),
    ("Режим ЧП в Киргизии завершился", "Режим ЧП в Бишкеке был объявлен 5 октября.", {}),
    ("", "President Tokayev refused to extend the state of emergency in Almaty.", {}),
    ("", "Токаев отказался продлевать режим чрезвычайного положения в Алматы.", {}),
    # a lifting demanded, or an extension proposed: the regime is in force
    ("", "The UN called for the lifting of the state of emergency in Armenia.",
     {"state-of-emergency": "AM"}),
    ("", "ООН призвала к отмене чрезвычайного положения в Армении.", {"state-of-emergency": "AM"}),
    ("", "The Armenian government has proposed the extension of the state of emergency.",
     {"state-of-emergency": "AM"}),
    ("", "Правительство Армении предложило продлить чрезвычайное положение.",
     {"state-of-emergency": "AM"}),
    # a standing curfew for children is no emergency
    ("", "A curfew for minors is being tightened in Izhevsk.", {}),
    ("", "В Ижевске ужесточается комендантский час для несовершеннолетних.", {}),
    # emergencies said otherwise: disaster zones, extraordinary circumstances, a CTO introduced
    ("", "Disaster zones were declared in several communities of Armenia after the floods.",
     {"state-of-emergency": "AM"}),
    ("", "Пашинян объявил зоной бедствия несколько общин Армении.", {"state-of-emergency": "AM"}),
    ("", "The president of Armenia announced extraordinary circumstances in Yerevan.",
     {"state-of-emergency": "AM"}),
    ("", "Президент Армении объявил в Ереване чрезвычайную ситуацию.",
     {"state-of-emergency": "AM"}),
    ("", "A counter-terrorist operation has been introduced in the Gomel region of Belarus.",
     {"state-of-emergency": "BY"}),
    ("", "В Гомельской области Беларуси введена контртеррористическая операция.",
     {"state-of-emergency": "BY"}),
    # a denial that points back cancels the sentence before it
    ("", "Media reported that Russia had redeployed troops to its western border. Moscow "
     "refuted these reports.", {}),
    ("", "СМИ сообщили, что Россия перебросила войска к западной границе. В Минобороны "
     "опровергли эту информацию.", {}),
    ("", "Russia has redeployed troops to its western border. Moscow said the move was "
     "defensive.", {"troop-deployment": "RU"}),
    # the border of X with Y is X's own border
    ("", "Russian border guards were redeployed to the border of Armenia with Turkey.",
     {"troop-deployment": "AM"}),
    ("", "Российских пограничников перевели на границу Армении с Турцией.",
     {"troop-deployment": "AM"}),
    # the speaker is not the place: "Kyrgyzstan said", "a Tajikistan news agency reported"
    ("", "Kyrgyzstan said Tajik forces were moving heavy equipment to the border.",
     {"troop-deployment": "TJ"}),
    ("", "A Tajikistan state news agency reported that Kyrgyz troops were reinforcing the "
     "border.", {"troop-deployment": "KG"}),
    # a stem must not make a force noun a guard cue: "contingent" is no "contingency"
    ("", "The transfer of the Russian contingent to Almaty airfield continued on Saturday.",
     {"troop-deployment": "KZ"}),
    ("", "A considerable number of troops were sent to the Batken region.",
     {"troop-deployment": "KG"}),
    # "никакой мобилизации не планируется": negated; "that year" dates the background
    ("", "Никакой повторной мобилизации в России не объявлено, заявили в Генштабе.", {}),
    ("", "A cease-fire that year led to Russia deploying peacekeepers to Armenia.", {}),
    # "готовиться" (to prepare) is no "готовы" (ready to): the move is reported
    ("", "Минску приходится перемещать на границе дополнительные подразделения и готовиться к "
     "прикрытию, заявили в Генштабе Белоруссии.", {"troop-deployment": "BY"}),
    ("", "Россия готова направить миротворцев в Киргизию.", {}),
    # the routine draft is no mobilisation
    ("", "В России начался весенний призыв: в армию призовут 160 тысяч человек.", {}),
    ("Russia's autumn conscription campaign begins",
     "About 120,000 men will be called up for military service, the General Staff said.", {}),
    # "призванных по мобилизации" are drafted, not called on
    ("", "В Новосибирской области проводили первую группу граждан, призванных по частичной "
     "мобилизации.", {"troop-deployment": "RU"}),
    # a decision to announce is the announcement
    ("", "Protests followed Putin's decision to announce a partial mobilisation in Russia.",
     {"troop-deployment": "RU"}),
    # a headline that looks back frames the article
    ("Kazakhs honor victims a year after deadly unrest",
     "As the unrest spread, members of the CSTO sent troops to Kazakhstan.", {}),
    # "Russia-led", "Russian-endorsed": who acts, not where
    ("", "The Russia-led alliance sent troops to help restore order in Almaty.",
     {"troop-deployment": "KZ"}),
    ("", "The Russia-backed interim government ordered troops deployed in Osh.",
     {"troop-deployment": "KG"}),
    # "со стороны X": X's side of the border
    ("", "Киргизские пограничники фиксируют переброску сил со стороны Таджикистана к "
     "границе с Киргизией.", {"troop-deployment": "TJ"}),
]


@pytest.mark.parametrize(("title", "text", "expected"), MORE_REAL_NEWS_CLASSES)
def test_more_classes_of_real_news_phrasing_issue_11(rules: RuleSet, title: str, text: str,
                                                     expected: dict[str, str]) -> None:
    cases.assert_detects(rules, Document(title, text), expected)


# as above, where an event lies in more than one country
SEVERAL_COUNTRIES: list[tuple[str, str, dict[str, tuple[str, ...]]]] = [
    # each sentence names its own country: a bare name holds beside "in X" of another
    ("", "Armenia and Karabakh declared a general mobilisation. In Azerbaijan a partial "
     "mobilisation was announced too.", {"troop-deployment": ("AM", "AZ")}),
    ("", "Армения и Карабах объявили всеобщую мобилизацию. В Азербайджане также объявили "
     "частичную мобилизацию.", {"troop-deployment": ("AM", "AZ")}),
    # a border named by a pair of adjectives lies in both countries
    ("", "Thousands of reservists were sent to the Tajik-Afghan border.",
     {"troop-deployment": ("AF", "TJ")}),
    ("", "Войска перебросили к российско-украинской границе.",
     {"troop-deployment": ("RU", "UA")}),
    # … and so does one "between" two countries, whoever sends the forces there
    ("", "Russia deployed additional tanks to the border between Tajikistan and Afghanistan.",
     {"troop-deployment": ("AF", "TJ")}),
    ("", "Россия перебросила дополнительные силы на границу между Таджикистаном и "
     "Афганистаном.", {"troop-deployment": ("AF", "TJ")}),
    # every name of a list takes the list's preposition, a comma list too
    ("", "Troops were deployed in Kazakhstan, Kyrgyzstan and Tajikistan.",
     {"troop-deployment": ("KG", "KZ", "TJ")}),
    ("", "A state of emergency was declared in Armenia, Belarus, Kazakhstan, Kyrgyzstan and "
     "Tajikistan.", {"state-of-emergency": ("AM", "BY", "KG", "KZ", "TJ")}),
    ("", "Войска направлены в Казахстан, Киргизию и Таджикистан.",
     {"troop-deployment": ("KG", "KZ", "TJ")}),
    ("", "Миротворцы прибыли в Нур-Султан, Бишкек и Душанбе.",
     {"troop-deployment": ("KG", "KZ", "TJ")}),
    # … and a list after "from" is where they come from, all of it
    ("", "Peacekeepers from Russia, Belarus, Tajikistan, Kyrgyzstan and Armenia arrived in "
     "Kazakhstan.", {"troop-deployment": ("KZ",)}),
    ("Lukashenko says army has to reinforce borders with Poland, Lithuania, Ukraine", "",
     {"troop-deployment": ("BY",)}),
    # a comma that ends no list: the name after it is no place of the preposition before
    ("", "A contingent of Kazakh peacekeepers arrived in southern Lebanon on Friday, "
     "Kazakhstan's defence ministry said.", {}),
    # … and a name that starts a new phrase there, then speaks, is the speaker
    ("", "Tajikistan sent troops to the border with Kyrgyzstan, Kyrgyzstan's border service "
     "said on Friday.", {"troop-deployment": ("TJ",)}),
]


@pytest.mark.parametrize(("title", "text", "expected"), SEVERAL_COUNTRIES)
def test_events_in_several_countries_issue_11(rules: RuleSet, title: str, text: str,
                                              expected: dict[str, tuple[str, ...]]) -> None:
    cases.assert_countries(rules, Document(title, text), expected)

# a place that "after"/"when"/"после того как" parts from the matched words is another
# clause's place: the detentions are in Russia, the troops go to Ukraine (outside scope)
EACH_CLAUSE_ITS_PLACE: list[tuple[str, dict[str, tuple[str, ...]]]] = [
    ("Police detained more than 1,500 protesters in Russia after the Kremlin sent troops to "
     "Ukraine.", {"mass-detention": ("RU",)}),
    ("В России задержали более 1500 участников протестов после того как Кремль направил "
     "войска на Украину.", {"mass-detention": ("RU",)}),
    # a list of destinations of one movement stays whole
    ("Troops were deployed to Yelnya in Russia and to Crimea in Ukraine.",
     {"troop-deployment": ("RU", "UA")}),
    ("Полиция задержала более 300 протестующих в Алматы, когда Россия направила войска в "
     "Казахстан.", {"mass-detention": ("KZ",), "troop-deployment": ("KZ",)}),
]


@pytest.mark.parametrize(("text", "expected"), EACH_CLAUSE_ITS_PLACE)
def test_each_clause_keeps_its_place_issue_11(rules: RuleSet, text: str,
                                              expected: dict[str, tuple[str, ...]]) -> None:
    cases.assert_countries(rules, Document("", text), expected)



# a headline that asks reports nothing by itself; its text may
QUESTION_HEADLINES: list[tuple[str, str, dict[str, str]]] = [
    ("Is Russia sending troops to Kazakhstan?", "Analysts weigh what Moscow may do next.", {}),
    ("Has Armenia declared martial law?", "Readers ask what the new law allows.", {}),
    ("Направит ли Россия войска в Казахстан?", "Эксперты обсуждают, что будет дальше.", {}),
    ("Объявлено ли в Армении военное положение?", "Разбираемся, что говорит закон.", {}),
    # the text reports what the headline asks about
    ("Is Russia sending troops to Kazakhstan?",
     "Russian paratroopers arrived in Almaty on Thursday.", {"troop-deployment": "KZ"}),
    # a question that takes the event as given is no question about it
    ("Why did Russia send troops to Kazakhstan?", "", {"troop-deployment": "KZ"}),
    ("Kyrgyzstan declares a state of emergency in Bishkek", "", {"state-of-emergency": "KG"}),
]


@pytest.mark.parametrize(("title", "text", "expected"), QUESTION_HEADLINES)
def test_question_headlines_issue_11(rules: RuleSet, title: str, text: str,
                                     expected: dict[str, str]) -> None:
    cases.assert_detects(rules, Document(title, text), expected)


# movement and force words of real wire copy, as data in the rule (written for eventwatch)
MOVEMENT_AND_FORCES: list[tuple[str, dict[str, tuple[str, ...]]]] = [
    ("The battalion was relocated to the Tajik-Afghan border on Monday.",
     {"troop-deployment": ("AF", "TJ")}),
    ("Russia is pulling in reserve troops to the Kursk region.", {"troop-deployment": ("RU",)}),
    ("Колонны бронетехники подошли к границе в Белгородской области.",
     {"troop-deployment": ("RU",)}),
    ("Погранчасти Киргизии переброшены в Баткенскую область.", {"troop-deployment": ("KG",)}),
    ("Морпехи высадились в Дагестане.", {"troop-deployment": ("RU",)}),
    ("Мотострелки выдвинулись к границе в Брестской области.", {"troop-deployment": ("BY",)}),
    ("Airborne units were flown to Almaty overnight.", {"troop-deployment": ("KZ",)}),
    ("Service members from Belarus arrived in Kazakhstan on Friday.",
     {"troop-deployment": ("KZ",)}),
    ("Подразделения взяли под свой контроль аэропорт Алматы.", {"troop-deployment": ("KZ",)}),
    # a move to a drill is none
    ("The battalion was relocated to a training ground in Belarus for drills.", {}),
]


@pytest.mark.parametrize(("text", "expected"), MOVEMENT_AND_FORCES)
def test_movement_and_force_words_issue_11(rules: RuleSet, text: str,
                                           expected: dict[str, tuple[str, ...]]) -> None:
    cases.assert_countries(rules, Document("", text), expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("В Дагестане введен режим контр-террористической операции.", {"state-of-emergency": "RU"}),
    ("В Дагестане отменен режим контр-террористической операции.", {}),
])
def test_hyphenated_counter_terrorist_regime_issue_11(rules: RuleSet, text: str,
                                                      expected: dict[str, str]) -> None:
    cases.assert_detects(rules, Document("", text), expected)


# Issue 11, structural classes: how a place, a time or a stance is read, each class in
# English and Russian (written for eventwatch). Countries with `--countries all`: the place
# must be right, not merely outside the CSTO.
STRUCTURAL_CLASSES: list[tuple[str, str, dict[str, tuple[str, ...]]]] = [
    # the other side of a border is never where forces mass, not even as a last resort
    ("", "The army is moving armoured vehicles up to the border of the Belgorod region.",
     {"troop-deployment": ()}),
    ("", "Армия стягивает бронетехнику к границе Белгородской области.",
     {"troop-deployment": ()}),
    # "to the war in/against X": the war is where they go; "for the war in X" stays a topic
    ("", "Russia has redeployed most troops from its northern bases to the war against "
     "Ukraine.", {"troop-deployment": ("UA",)}),
    ("", "Россия перебросила большую часть войск с северных баз на войну с Украиной.",
     {"troop-deployment": ("UA",)}),
    ("", "Russia announced a partial mobilisation of reservists for the war in Ukraine.",
     {"troop-deployment": ("RU",)}),
    # "from their base in X", "из учебного центра в X": where they came from
    ("", "Mobilised soldiers were sent to Luhansk from their base in Tyumen.",
     {"troop-deployment": ("UA",)}),
    ("", "Мобилизованные отправились в Луганск из учебного центра в Тюмени.",
     {"troop-deployment": ("UA",)}),
    # the zone of the "special military operation" is in Ukraine
    ("", "Mobilised men from the Urals were sent to the special military operation zone.",
     {"troop-deployment": ("UA",)}),
    ("", "Мобилизованных уральцев отправили в зону СВО.", {"troop-deployment": ("UA",)}),
    # a place of another comma-parted piece (the speaker's title) is not where they go
    ("", "Mobilised men are being sent to the Luhansk region, said the human rights "
     "ombudsman in the Sverdlovsk region.", {"troop-deployment": ("UA",)}),
    ("", "Мобилизованных отправляют в Луганскую область, — сказала уполномоченный по правам "
     "человека в Свердловской области.", {"troop-deployment": ("UA",)}),
    # the subject of the matched words' own piece, not a place of another piece
    ("", "Russia will not send troops to Afghanistan, Tajikistan is mobilising 20,000 "
     "reservists.", {"troop-deployment": ("TJ",)}),
    ("", "Россия не станет вводить войска в Афганистан, Таджикистан мобилизует 20 000 "
     "резервистов.", {"troop-deployment": ("TJ",)}),
    # a preposition of another piece governs nothing; a side that acts places its forces;
    # a ceasefire lifts nothing
    ("", "Despite efforts to end the fighting, the Tajik side keeps moving armour to the "
     "border.", {"troop-deployment": ("TJ",)}),
    ("", "Несмотря на усилия прекратить огонь, таджикская сторона продолжает стягивать "
     "бронетехнику к границе.", {"troop-deployment": ("TJ",)}),
    # a source cited is not where
    ("", "Tajikistan has deployed 20,000 troops to guard the frontier, a news site reported "
     "citing Kyrgyzstan's AKIpress.", {"troop-deployment": ("TJ",)}),
    ("", "Таджикистан развернул 20 тысяч военнослужащих для охраны рубежей, сообщает сайт со "
     "ссылкой на Кыргызстан.", {"troop-deployment": ("TJ",)}),
    # an order with its object before "to deploy" is what was ordered, not a plan
    ("", "The president directed the heads of the defence agencies to deploy 2,000 troops to "
     "the Batken region.", {"troop-deployment": ("KG",)}),
    ("", "Президент поручил министру обороны в ближайшее время перебросить 2000 "
     "военнослужащих в Баткенскую область.", {"troop-deployment": ("KG",)}),
    # the participle as a noun names the mobilised men in English as in Russian
    ("", "The mobilized in the Perm region were sent to their units on Monday.",
     {"troop-deployment": ("RU",)}),
    ("", "Мобилизованные в Пермском крае в понедельник отправлены в свои части.",
     {"troop-deployment": ("RU",)}),
    # the country after a force noun is whose force, not where it went
    ("", "The army of Kazakhstan has arrived. Its units were moved to the Voronezh region.",
     {"troop-deployment": ("RU",)}),
    ("", "Армия Казахстана прибыла. Ее подразделения переброшены в Воронежскую область.",
     {"troop-deployment": ("RU",)}),
    # a force that serves only at home places an unnamed town at home
    ("", "Rosgvardia reinforcements moved into the town overnight.",
     {"troop-deployment": ("RU",)}),
    ("", "Ночью в город двинулось подкрепление Росгвардии.", {"troop-deployment": ("RU",)}),
    # officers of Rosgvardia on a call are police work, not troops sent
    ("", "Rosgvardia officers arrived at the scene of a bar fight in Oryol.", {}),
    ("", "Сотрудники Росгвардии прибыли на место драки в баре в Орле.", {}),
    # a road crew's machinery ("техника") is no armour
    ("", "Для расчистки дороги в Согдийской области были стянуты техника и сотрудники "
     "районной дорожной службы.", {}),
    # the object between the verb and "под контроль"
    ("", "Военные взяли Алма-Ату под полный контроль.", {"troop-deployment": ("KZ",)}),
    # an approval or a permission is not an order
    ("", "Parliament gave its approval to deploy up to 430 servicemen to UN missions.", {}),
    # a headline that asks frames nothing: the text reports
    ("Is Russia withdrawing troops from Ukraine to defend Kursk?",
     "Russian forces have been deployed to the Kursk region in greater numbers.",
     {"troop-deployment": ("RU",)}),
    ("Выводит ли Россия войска с Украины ради защиты Курской области?",
     "Российские подразделения переброшены в Курскую область.",
     {"troop-deployment": ("RU",)}),
]


@pytest.mark.parametrize(("title", "text", "expected"), STRUCTURAL_CLASSES)
def test_structural_classes_issue_11(rules: RuleSet, title: str, text: str,
                                     expected: dict[str, tuple[str, ...]]) -> None:
    cases.assert_countries(rules, Document(title, text), expected, ALL)


@pytest.mark.parametrize(("text", "language"), [
    ("Осенью 2022-го в Беларусь прибыли эшелоны с российскими военными.", "ru"),
    ("In autumn 2022 trains with Russian troops arrived in Belarus.", "en"),
])
def test_a_season_of_a_past_year_is_background_issue_11(rules: RuleSet, text: str,
                                                         language: str) -> None:
    """A season dates an event as a month does: "осенью 2022-го" in an article of 2024 is
    background, in an article of that autumn it is news."""
    from datetime import UTC, datetime

    late = Document("", text, language, published=datetime(2024, 3, 1, tzinfo=UTC))
    fresh = Document("", text, language, published=datetime(2022, 10, 20, tzinfo=UTC))
    assert [d.rule for d in rules.detect(late)] == []
    assert [(d.rule, d.countries) for d in rules.detect(fresh)] == [("troop-deployment", ("BY",))]


# Issue 11, classes of phrasing met in the real troop-deployment excerpts of the tune part,
# each in English and Russian (written for eventwatch). Countries with `--countries all`.
REAL_EXCERPT_CLASSES: dict[str, list[tuple[str, str, dict[str, tuple[str, ...]]]]] = {
    # military aircraft are a force; flown in ("вылетели в X") is a movement, flown out is not
    "aircraft": [
        ("", "Russia has sent combat helicopters to its air base in Armenia.",
         {"troop-deployment": ("AM",)}),
        ("", "Россия перебросила на военную базу в Армении партию ударных вертолетов.",
         {"troop-deployment": ("AM",)}),
        ("", "Twelve military transport aircraft with the contingent flew to Kazakhstan.",
         {"troop-deployment": ("KZ",)}),
        ("", "С аэродрома Чкаловский вылетели в Казахстан двенадцать военно-транспортных "
         "самолетов.",
         {"troop-deployment": ("KZ",)}),
        ("CSTO peacekeepers flown out of Kazakhstan",
         "The peacekeepers flew to Moscow on military transport aircraft.", {}),
        ("Самолеты вывезут из Казахстана технику и миротворцев",
         "Миротворцы вылетели в Москву на военно-транспортных самолетах.", {}),
    ],
    # reinforced, said of who gets them
    "received_reinforcements": [
        ("", "Kyrgyzstan's border troops on the Kazakh border received reinforcements.",
         {"troop-deployment": ("KG",)}),
        ("", "Пограничные войска Киргизии на казахстанской границе получили подкрепление.",
         {"troop-deployment": ("KG",)}),
    ],
    # "in connection with the escalation in X": the cause, not the place
    "escalation_is_a_cause": [
        ("", "Armenia announced a general mobilization in connection with the escalation in "
         "Nagorno-Karabakh.", {"troop-deployment": ("AM",)}),
        ("", "Армения объявила всеобщую мобилизацию в связи с обострением в Нагорном Карабахе.",
         {"troop-deployment": ("AM",)}),
    ],
    # a hedge on what happened is no plan
    "hedge_is_not_future": [
        ("", "The tanks were most likely moved to the Bryansk region.",
         {"troop-deployment": ("RU",)}),
        ("", "Танки, скорее всего, переместили в Брянскую область.",
         {"troop-deployment": ("RU",)}),
    ],
    # a call-up stopped is no mobilisation
    "call_up_stopped": [
        ("", "In the Sverdlovsk region offices stopped handing out partial mobilization "
         "summonses.", {}),
        ("", "В Свердловской области перестали вручать повестки на частичную мобилизацию.", {}),
    ],
    # reserves are a force; stocks are not
    "reserves": [
        ("", "The defence ministry has sent reserves to the Kursk region.",
         {"troop-deployment": ("RU",)}),
        ("", "Минобороны перебросило резервы в Курскую область.", {"troop-deployment": ("RU",)}),
        ("", "Food reserves were sent to the flooded Kostanay region.", {}),
        ("", "В Костанайскую область направлены резервы продовольствия.", {}),
    ],
    # an unconfirmed movement ("alleged", "якобы") is no report of one; alleged rioters are
    # still detained
    "alleged_movement": [
        ("", "Information about the alleged transfer of troops to the Bryansk region appeared "
         "in the media.", {}),
        ("", "В СМИ появилась информация о якобы переброске войск в Брянскую область.", {}),
        ("", "Police in Almaty detained 300 alleged rioters on Friday.",
         {"mass-detention": ("KZ",)}),
    ],
    # near a country's name is its neighbourhood, the other side of the border: forces
    # massed there are on their own side
    "near_a_country": [
        ("", "The Kremlin said on Friday it had deployed armed forces near Ukraine to shore up "
         "its border.", {"troop-deployment": ("RU",)}),
        ("", "Russian troops were deployed close to Ukraine.", {"troop-deployment": ("RU",)}),
        ("", "Россия разместила войска вблизи Украины.", {"troop-deployment": ("RU",)}),
        ("", "Белоруссия стянула войска недалеко от Польши.", {"troop-deployment": ("BY",)}),
        # a city is a place, near it or not
        ("", "Russian troops arrived near Kyiv.", {"troop-deployment": ("UA",)}),
        ("", "Войска ОДКБ прибыли под Алма-Ату.", {"troop-deployment": ("KZ",)}),
    ],
    # what ought to happen is advice, not news; a duty after the event is about something else
    "advice": [
        ("", "Пока оптимальным решением является размещение в зоне конфликта миротворческих "
         "сил ОДКБ в Таджикистане.", {}),
        ("", "Эксперт считает, что в Таджикистан следует ввести войска ОДКБ.", {}),
        ("", "Kyrgyzstan should send troops to the border with Tajikistan.", {}),
        ("", "The best solution would be to deploy CSTO peacekeepers in Kyrgyzstan.", {}),
        ("", "Как следует из сообщения Минобороны, войска прибыли в Казахстан.",
         {"troop-deployment": ("KZ",)}),
        ("", "Kyrgyzstan declared a state of emergency in Bishkek, which must be approved by "
         "parliament.", {"state-of-emergency": ("KG",)}),
        ("Armenia PM: We need to extend the state of emergency",
         "Pashinyan said the government would decide on Monday.", {"state-of-emergency": ("AM",)}),
        ("", "Необходимо продлить режим чрезвычайного положения в Армении, заявил премьер.",
         {"state-of-emergency": ("AM",)}),
    ],
    # advocacy is no report of a movement
    "advocacy": [
        ("", "Пашинян выступил за размещение опорных пунктов российских пограничников вдоль "
         "границы Армении с Азербайджаном.", {}),
        ("", "The opposition leader spoke in favour of deploying CSTO peacekeepers in "
         "Kyrgyzstan.", {}),
    ],
    # reports called disinformation or a provocation are denied
    "called_disinformation": [
        ("", "Данные о стягивании российских войск к границе – информационные провокации.", {}),
        ("", "Minsk called the reports of troops massing at the border disinformation.", {}),
    ],
    # reinforcements called in are on the move
    "called_in": [
        ("", "В Баймак вызывали подкрепление даже из соседних регионов.",
         {"troop-deployment": ("RU",)}),
        ("", "Reinforcements were called in to Baymak from neighbouring regions.",
         {"troop-deployment": ("RU",)}),
    ],
    # "X's neighbour Y": Y is the place
    "neighbour_apposition": [
        ("", "Military trains packed with Russian troops are being deployed to Ukraine's "
         "neighbour Belarus.", {"troop-deployment": ("BY",)}),
        ("", "Russian troops arrived in Kazakhstan's neighbour Kyrgyzstan.",
         {"troop-deployment": ("KG",)}),
    ],
    # the people of a capital name its country when nothing else does
    "city_people": [
        ("", "Получивших повестки москвичей автобусами отправили в ближайшие воинские части.",
         {"troop-deployment": ("RU",)}),
        ("", "Около 300 минчан задержали вечером в воскресенье.", {"mass-detention": ("BY",)}),
    ],
    # a question about why presupposes the event; one about whether does not
    "why_question": [
        ("Why is Putin massing troops on the border of Finland?",
         "Satellite images show Moscow bulking up its military presence on the Finnish border.",
         {"troop-deployment": ("RU",)}),
        ("Will Russia send troops to Kazakhstan?", "The CSTO meets on Thursday.", {}),
    ],
    # a denial does not reach across "but" to what follows
    "denial_then_but": [
        ("", "Belarus has no plans to join the invasion of Ukraine but is sending five battalion "
         "tactical groups to its border on rotation.", {"troop-deployment": ("BY",)}),
        ("", "Минобороны опровергло переброску войск к границе, но признало усиление охраны.",
         {}),
    ],
    # an earlier withdrawal sets the time, it is not the news
    "after_a_withdrawal": [
        ("", "Border guards began patrolling the border between Armenia's Tavush region and "
         "Azerbaijan's Gazakh district, following the withdrawal of troops.",
         {"troop-deployment": ("AM", "AZ")}),
        ("", "В Барановичи впервые после вывода в 2023 году прилетели вертолеты Ми-24 ВКС РФ.",
         {"troop-deployment": ("BY",)}),
    ],
    # dismissed, out of the question: denied
    "dismissed": [
        ("", "Belarus' Defense Ministry has dismissed media reports that Russian troops had been "
         "deployed to the Belarusian section of the Chernobyl zone.", {}),
        ("", "Об отправке сил ОДКБ в Армению речи не идет, заявил глава штаба.", {}),
    ],
    # by air, delivered, reached
    "flown_delivered_reached": [
        ("", "Russian military units are being flown into Kazakhstan round the clock.",
         {"troop-deployment": ("KZ",)}),
        ("", "Самолеты ВКС доставили миротворческий контингент ОДКБ из Армении на территорию "
         "Казахстана.", {"troop-deployment": ("KZ",)}),
        ("", "The first trains carrying Russian soldiers to Belarus have reached their "
         "destinations.", {"troop-deployment": ("BY",)}),
        # detainees taken to the police are no troops
        ("", "Росгвардия задержала 120 мигрантов в Москве; задержанных доставили в отделы "
         "полиции.", {"mass-detention": ("RU",)}),
    ],
    # warplanes by type are a force; transport planes rescuers fly are not
    "aircraft_types": [
        ("", "Two Su-25 jets landed at the airbase of Kant in Kyrgyzstan.",
         {"troop-deployment": ("KG",)}),
        ("", "Two Il-76 aircraft flew to Orsk with more than 100 rescuers on board.", {}),
    ],
    # a mobilisation under way, and dispatches to the front
    "mobilisation_under_way": [
        ("", "Мобилизация в России началась «судной ночью» в Бурятии.",
         {"troop-deployment": ("RU",)}),
        ("", "Mobilisation began in Buryatia on the night of 21 September.",
         {"troop-deployment": ("RU",)}),
        ("", "Временное правительство Киргизии мобилизует молодых людей 19-22 лет.",
         {"troop-deployment": ("KG",)}),
    ],
    # back home is a withdrawal
    "returned": [
        ("Из Казахстана в РФ вернулись 40 самолетов с российскими миротворцами",
         "Самолеты доставили миротворцев на аэродромы в Московской области.", {}),
    ],
    # a region then another country's adjective: the region is the place
    "region_then_adjective": [
        ("", "В Тавушской области российские военные разместили заставу.",
         {"troop-deployment": ("AM",)}),
    ],
    # a request granted is no hypothetical
    "at_the_request": [
        ("", "At his request, the CSTO countries sent peacekeeping forces to Kazakhstan.",
         {"troop-deployment": ("KZ",)}),
        ("", "По просьбе Токаева страны ОДКБ направили миротворцев в Казахстан.",
         {"troop-deployment": ("KZ",)}),
        ("", "Tokayev requested that the CSTO send troops to Kazakhstan.", {}),
    ],
    # entered, on the streets, introduced, heading towards
    "entered_streets_introduced": [
        ("", "Tajik special forces have entered into the Gorno-Badakhshan region.",
         {"troop-deployment": ("TJ",)}),
        ("", "Russian military vehicles were seen on the streets of Rostov-on-Don.",
         {"troop-deployment": ("RU",)}),
        ("", "Military units and military equipment are introduced to the capital of "
         "Kyrgyzstan.", {"troop-deployment": ("KG",)}),
        ("", "Border clashes between Armenia and Azerbaijan entered their seventh day.", {}),
    ],
    # a state's military is a force; its military base is a place
    "a_states_military": [
        ("", "The raid forced the Russian military to reinforce defences in the Belgorod region.",
         {"troop-deployment": ("RU",)}),
        ("", "The Russian military base in Tajikistan has been reinforced with new machine guns.",
         {}),
    ],
    # a base named by its number, or by its town, is in its host country
    "bases_abroad": [
        ("", "Russia deployed hundreds more soldiers to protect its military base in Kant.",
         {"troop-deployment": ("KG",)}),
        ("", "Россия перебросила на 201-ю российскую военную базу 30 новых танков.",
         {"troop-deployment": ("TJ",)}),
        ("", "Russia sent fighter jets to the 102nd military base.", {"troop-deployment": ("AM",)}),
    ],
    # more forces brought out or posted; measures stepped up are no forces
    "brought_out_posted": [
        ("", "На границе Таджикистана и Кыргызстана напряженно. Таджики вывели дополнительную "
         "технику и военных к границе в Исфаринском районе.", {"troop-deployment": ("TJ",)}),
        ("", "В район Унгар-Тоо выставлено дополнительное количество военнослужащих ГПС "
         "Кыргызстана.", {"troop-deployment": ("KG",)}),
        ("", "В Шебекино Росгвардия и полиция усилили меры борьбы с мародерами.", {}),
    ],
    # going home is a withdrawal; a movement tied to an exercise is the exercise
    "home_and_drills": [
        ("", "Кыргызские миротворцы выдвинулись с территории Алматинской ТЭЦ-2 в сторону границы "
         "своего государства.", {}),
        ("", "В Казахстане идет переброска военной техники. Она связана с проведением совместных "
         "учений ОДКБ.", {}),
    ],
    # a front sector is named by its city; the wind picking up moves no troops
    "front_direction_and_weather": [
        ("", "Минобороны РФ показало видео переброски российских войск на харьковское "
         "направление.", {"troop-deployment": ("UA",)}),
        ("", "Russian troops were moved to the Kharkiv axis.", {"troop-deployment": ("UA",)}),
        ("", "У вооруженных сил Армении сегодня другие проблемы: усиление ветра, метель.", {}),
    ],
    # a fleeting vowel takes a form out of a prefix ("группировк*" is not "группировок")
    "fleeting_vowel": [
        ("", "Россия продолжает усиление группировок в Брянской области.",
         {"troop-deployment": ("RU",)}),
        ("", "Минобороны начало переброску новых группировок в Курскую область.",
         {"troop-deployment": ("RU",)}),
        ("", "Более 30 человек доставили в участок в Минске.", {"mass-detention": ("BY",)}),
    ],
    # a drill given anywhere as the purpose makes the movement a drill
    "drill_purpose": [
        ("", "Another train with Russian servicemen arrived in Belarus on Sunday. The troops "
         "will take part in the exercises of the Union State.", {}),
        ("", "Россия направила танки к границам Афганистана. Танки прошли 200 км для участия "
         "в учениях.", {}),
        ("", "A column of armoured vehicles was seen moving towards St Petersburg. The "
         "district said it was heading to a training ground.", {}),
        ("", "Очевидцы заметили колонну военной техники у Петербурга. В округе объяснили, что "
         "техника шла на полигон под Лугой.", {}),
    ],
    # forces guarding sites, or manning checkpoints, are there: not the standing border service
    "guarding_sites": [
        ("", "Troops from Kyrgyzstan continue to guard the thermal power plant in Almaty.",
         {"troop-deployment": ("KZ",)}),
        ("", "Таджикские миротворцы помогают охранять ТЭЦ в Алматы.",
         {"troop-deployment": ("KZ",)}),
        ("", "Dozens of military personnel are on duty at checkpoints around Almaty.",
         {"troop-deployment": ("KZ",)}),
        ("", "Белорусские военнослужащие возводят блокпосты у Гомеля.",
         {"troop-deployment": ("BY",)}),
        ("", "Границу Армении с Турцией охраняют российские пограничники.", {}),
    ],
    # a border guard "reinforced" with no force sent is a duty regime (the corpus convention)
    "border_duty_regime": [
        ("", "Кыргызстан усилил охрану границы с Таджикистаном.", {}),
        ("", "Кыргызстан усилил охрану границы с Таджикистаном и перебросил туда "
         "дополнительные подразделения.", {"troop-deployment": ("KG",)}),
        ("", "Tajikistan reinforces its border with Afghanistan with 20,000 reservists.",
         {"troop-deployment": ("TJ",)}),
    ],
    # arrived by road or air, committed to an operation, taken under guard
    "arrived_committed_guarded": [
        ("", "В Ростов приехали подразделения Росгвардии.", {"troop-deployment": ("RU",)}),
        ("", "В Гродно задействованы резервы пограничных отрядов и подразделения армии.",
         {"troop-deployment": ("BY",)}),
        ("", "Два штурмовика Су-25 перелетели на авиабазу Кант в Киргизии.",
         {"troop-deployment": ("KG",)}),
        ("", "Миротворцам ОДКБ передан под охрану ряд объектов в Казахстане.",
         {"troop-deployment": ("KZ",)}),
        ("", "Армения разрешила задействовать в Казахстане подразделение армии.", {}),
        ("", "На тушении лесных пожаров в Якутии задействовано 203 единицы техники.", {}),
        ("", "Очевидцы сообщили о переброске военной авиации в Актау.",
         {"troop-deployment": ("KZ",)}),
    ],
    # a drill named as the pretext is no drill; a movement far from the drill is no part of it
    "drill_as_pretext": [
        ("", "Belarus has concentrated troops and tanks in the Gomel region under the guise of "
         "exercises.", {"troop-deployment": ("BY",)}),
        ("", "Беларусь под видом учений стянула войска в Гомельскую область.",
         {"troop-deployment": ("BY",)}),
        ("Satellite images show deployment of Russian troops in Belarus",
         "The developments are likely linked to joint exercises. Other photographs show camps "
         "near the Ukrainian border, hundreds of kilometers from where the exercises are taking "
         "place.", {"troop-deployment": ("BY",)}),
        ("Belarus deploys troops for joint exercises", "Russian troops arrived in Belarus for "
         "the joint exercises.", {}),
    ],
    # called back, training stepped up, land for aircraft to come: nothing moved in
    "recalled_training_purpose": [
        ("", "Russia recalled its paratroopers from the Kant base in Kyrgyzstan.", {}),
        ("", "Россия отозвала десантников с базы Кант в Киргизии.", {}),
        ("", "Россия усилила интенсивность боевой подготовки военнослужащих базы в Армении.", {}),
        ("", "Армения предоставила российской базе территорию в аэропорту Эребуни для размещения "
         "новой воздушной техники.", {}),
    ],
    # an end still to come leaves a call-up under way; an end that came does not
    "end_to_come": [
        ("", "Частичная мобилизация в Башкирии закончится завтра.", {"troop-deployment": ("RU",)}),
        ("", "Частичная мобилизация в Башкирии закончилась.", {}),
        ("", "В стране завершился режим ЧП, объявленный в начале января в Казахстане.", {}),
    ],
    # a time zone is a clock, not a place
    "clock_zone": [
        ("", "Президент ввел режим чрезвычайного положения в Бишкеке с 20:00 (17.00 по Минску).",
         {"state-of-emergency": ("KG",)}),
        ("", "Режим ЧП в Бишкеке действует с 20:00 по времени Астаны.",
         {"state-of-emergency": ("KG",)}),
        ("", "A curfew was declared in Bishkek from 8 pm, 5 pm Moscow time.",
         {"state-of-emergency": ("KG",)}),
        # a clock is not even the last resort: no place rather than Kyiv's
        ("", "2:46 pm, Kyiv time: the detainees are kept in a gym. 30 people are still detained.",
         {"mass-detention": ()}),
    ],
    # not forces sent: the militia, guarding stepped up by whoever is there, an official on a
    # military plane, preparatory work, an anniversary of the event, a return to base
    "no_forces_sent": [
        ("", "К зданию мэрии Оша подтянуты дополнительные силы милиции.", {}),
        ("", "Росгвардия усилила охрану Курской атомной электростанции.", {}),
        ("", "The prime minister arrived in Batken region by a military transport aircraft.", {}),
        ("", "Пограничные войска Армении ведут подготовительную работу, чтобы взять под охрану "
         "границу в Тавушской области.", {}),
        ("Anniversary of the deployment of Russian troops in Belarus",
         "A year ago the first trains with Russian troops began arriving in Belarus.", {}),
        ("", "The agreement stipulates the withdrawal of the additional forces, drawn up to the "
         "border, to the places of permanent deployment in Kyrgyzstan.", {}),
        ("", "Police and the military continue to man checkpoints on all roads into Nalchik.", {}),
        ("", "Troops arrived in Almaty by military transport aircraft.",
         {"troop-deployment": ("KZ",)}),
    ],
    # the military brought in, also to a disaster; emergency departments are not troops
    "brought_in": [
        ("", "К противопожарным мероприятиям в области Абай привлечены более 100 "
         "военнослужащих.",
         {"troop-deployment": ("KZ",)}),
        ("", "Силы и средства ДЧС Алматинской области отправились на тушение пожара в области "
         "Абай.", {}),
        ("", "В Гомельской области к работам привлечены дополнительные силы и техника.", {}),
        ("", "На поиски заключенных в Раштский район была направлена военная автоколонна.",
         {"troop-deployment": ("TJ",)}),
        ("", "Over 100,000 Russian troops had been positioned along the border in the Voronezh "
         "region.", {"troop-deployment": ("RU",)}),
        ("", "Rebels attacked the army's positions in Homs province, Syria.", {}),
    ],
    # an attempt that took place is no possibility
    "attempt_took_place": [
        ("", "В южные провинции Киргизии, в которых на этой неделе произошла попытка захвата "
         "власти, направлены внутренние войска.", {"troop-deployment": ("KG",)}),
        ("", "Войска могут быть направлены в южные провинции Киргизии.", {}),
    ],
    # a dateline says where a report was filed: the place only when nothing else is named;
    # forces at the far side's border are on their own side
    "dateline": [
        ("", "MONS, Belgium, April 10 NATO unveiled satellite photographs showing Russian "
         "deployments of some 40,000 troops near the Ukrainian frontier.",
         {"troop-deployment": ("RU",)}),
        ("", "MINSK (Reuters) - Police detained more than 100 protesters on Sunday.",
         {"mass-detention": ("BY",)}),
        ("", "ALMATY, Jan 6 (Reuters) - Russian paratroopers arrived on Thursday as part of the "
         "CSTO mission.", {"troop-deployment": ("KZ",)}),
        ("", "MOSCOW, Jan 6 — Russian paratroopers arrived in Kazakhstan on Thursday.",
         {"troop-deployment": ("KZ",)}),
        ("", "ТАРАЗ. 27 августа. КазТАГ — Более 50 человек задержаны в Бишкеке.",
         {"mass-detention": ("KG",)}),
    ],
    # the far side's border said with a possessive; a drill denied in the headline frames
    # nothing; Osh by its two letters, and no city's nickname as a place
    "border_drill_names": [
        ("", "Around 20,000 Russian troops have amassed on Ukraine's eastern border.",
         {"troop-deployment": ("RU",)}),
        ("NATO: Russian troops near Ukraine ready for combat, not training",
         "NATO released images of large numbers of Russian forces massed near Ukraine's border.",
         {"troop-deployment": ("RU",)}),
        ("Russian troops arrive in Belarus for joint drills",
         "The first trains arrived on Sunday.", {}),
        ("", "40 военнослужащих пограничных войск уже прибыли в Ош, южную столицу страны.",
         {"troop-deployment": ("KG",)}),
    ],
    # a movement from a base named after "from" starts there; a welcome home is a return;
    # an announced formation of new units is a plan
    "origin_welcome_announced": [
        ("", "The Kremlin moved part of its contingent from the military base in Gyumri to "
         "Ukraine.", {"troop-deployment": ("UA",)}),
        ("", "Российских пограничников перевели из аэропорта в Ереване на границу Армении с "
         "Турцией.", {"troop-deployment": ("AM",)}),
        ("Governor takes part in the welcome home of paratroopers",
         "Ten planes with the CSTO contingent landed in Ivanovo.", {}),
        ("Губернатор принял участие во встрече миротворцев",
         "Десять самолетов с контингентом ОДКБ приземлились в Иванове.", {}),
        ("", "Шойгу анонсировал развёртывание новых десантно-штурмовых подразделений в Крыму.",
         {}),
    ],
    # missile units by their systems; "made no secret" confirms; a landfill is no firing
    # range; brought in by truck
    "missiles_idioms_landfill": [
        ("", "Moscow made no secret of sending Iskander-M missile systems to Kaliningrad.",
         {"troop-deployment": ("RU",)}),
        ("", "The Russian Defense Ministry released a video of the deployment of the Oreshnik "
         "missile system in Belarus.", {"troop-deployment": ("BY",)}),
        ("", "На станцию Шиес, где строят полигон для столичного мусора, прибыли бойцы "
         "Росгвардии.", {"troop-deployment": ("RU",)}),
        ("", "Танковый батальон прибыл на полигон под Брестом.", {}),
        ("", "В Ереван на военных грузовиках привезли служащих внутренних войск.",
         {"troop-deployment": ("AM",)}),
    ],
    # back from abroad, fewer troops, a base built for forces to come: no deployment; a
    # distance from a border is no border the forces stand at
    "return_cut_purpose": [
        ("Dagestan announces return of military police battalion from Syria",
         "The battalion will arrive in Botlikh next week.", {}),
        ("", "В аэропорт Махачкалы прибыл батальон военной полиции, вернувшийся из Сирии. "
         "Батальон вернулся из Сирии после двух лет службы.", {}),
        ("Kyrgyzstan, Uzbekistan cut number of troops in disputed border area",
         "The sides cut the number of troops at checkpoints set up in the Chalasart area.", {}),
        ("", "Россия начала строительство военного объекта с целью развертывания бронетанковых "
         "подразделений вблизи границы с Украиной.", {}),
        ("", "A Russian airborne battalion had been sent to Brest, which is also 50km north of the "
         "Ukrainian border.", {"troop-deployment": ("BY",)}),
    ],
    # relief work, troops sent back to base, soldiers earmarked for later; a region of a
    # country across the border is that country's side
    "relief_back_earmarked": [
        ("", "738 personnel and 59 units of equipment are deployed in relief efforts in the "
         "Issyk-Kul region.", {}),
        ("", "Extra troops deployed at Belarus's border with Ukraine were being sent back to their "
         "bases.", {}),
        ("", "Many of the soldiers earmarked for deployment near the Finnish border in Russia are "
         "at the front.", {}),
        ("", "Ukraine has built up troops near the border with Russia's Belgorod region.", {}),
    ],
    # a withdrawal demanded or refused frames nothing; a movement verb of the headline's own
    # makes its "to" a destination; confirming is no possibility; diverted troops move
    "unreal_framing_confirmed": [
        ("Ukraine urges Belarus to withdraw forces from border",
         "Belarus sent aircraft and armour to the Gomel region, its defence ministry said.",
         {"troop-deployment": ("BY",)}),
        ("Russia redeploys troops to protect Belgorod", "Columns were seen on Monday.",
         {"troop-deployment": ("RU",)}),
        ("", "«Я могу подтвердить, что военные подразделения КНДР были развёрнуты в Курской "
         "области», — сказал генсек.", {"troop-deployment": ("RU",)}),
        ("", "The raids prompted Russia to divert troops from the front line to Belgorod.",
         {"troop-deployment": ("RU",)}),
        ("Russian troops pull back from the Belarusian border",
         "Columns were seen heading to Pskov.", {}),
    ],
    # brought in: "with the involvement of the troops", "с привлечением внутренних войск"
    "involvement": [
        ("", "The riots in Zhanaozen were suppressed with the involvement of the troops of the "
         "Interior Ministry.", {"troop-deployment": ("KZ",)}),
        ("", "Беспорядки в Жанаозене подавлены с привлечением внутренних войск.",
         {"troop-deployment": ("KZ",)}),
    ],
    # detained now and deported later; taken to district police departments; courts' arrests
    "detention_said_otherwise": [
        ("", "Police detained 1,400 migrants in a raid in Moscow; they will be deported after "
         "identification.", {"mass-detention": ("RU",)}),
        ("", "60-70 митинговавших в Бишкеке доставлены в районные управления внутренних дел.",
         {"mass-detention": ("KG",)}),
        ("", "Суд наказал участников митингов в Алма-Ате. Из них к аресту приговорены 670.",
         {"mass-detention": ("KZ",)}),
        ("", "В Москве 30 мигрантов депортированы после рейда.", {}),
    ],
    # headlinese "X to do" is a plan; "sent to", "sends … to", "head to" are destinations;
    # a regime "to be extended" stays in force
    "headline_infinitive": [
        ("Russia to beef up military presence in Armenia", "The ambassador spoke on Tuesday.",
         {}),
        ("Armenia to introduce martial law", "The cabinet meets on Tuesday.", {}),
        ("Troops sent to Kazakhstan", "The first units landed in Almaty on Thursday.",
         {"troop-deployment": ("KZ",)}),
        ("Russia sends paratroopers to Kazakhstan", "The decision was announced on Thursday.",
         {"troop-deployment": ("KZ",)}),
        ("Russian troops head to the border with Ukraine", "Columns were seen on Tuesday.",
         {"troop-deployment": ("RU",)}),
        ("Kazakhstan to extend state of emergency until January 19",
         "The decree was signed on Tuesday.", {"state-of-emergency": ("KZ",)}),
        ("Up to 300 detained in Minsk", "Police broke up the march on Sunday.",
         {"mass-detention": ("BY",)}),
    ],
}


@pytest.mark.parametrize(("title", "text", "expected"), [
    pytest.param(*case, id=f"{phrasing}-{i}")
    for phrasing, examples in sorted(REAL_EXCERPT_CLASSES.items())
    for i, case in enumerate(examples)])
def test_classes_of_real_deployment_excerpts_issue_11(
        rules: RuleSet, title: str, text: str, expected: dict[str, tuple[str, ...]]) -> None:
    cases.assert_countries(rules, Document(title, text), expected, ALL)
