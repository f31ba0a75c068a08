"""One message per article per subscriber, end to end (issue 12): a local feed server →
eventwatch with the real rules → the real python-telegram-bot Application → the fake
Bot API, with a real Redis.

The reference article matches three rules; two Russian rewrites and a Russian update
follow. Each subscriber gets one message with the three event types, edits of it for
the other outlets (at most one per edit interval), and one "Update" reply; a detention
in the same country the next day, inside the story's window, is a story of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.app import Eventwatch
from tests.fakebotapi import FakeBotAPI, fake_bot_api  # noqa: F401
from tests.feedserver import FeedServer, feed_server  # noqa: F401
from tests.reference import ALICE, BORIS, wire_rss
from tests.waiting import drained, until

RU_A = (
    "Путин на саммите ОДКБ назвал события в Казахстане агрессией международного терроризма",
    "Президент России Владимир Путин на онлайн-саммите ОДКБ в понедельник назвал события в "
    "Казахстане агрессией международного терроризма. По словам Токаева, в стране развернуты "
    "2030 военнослужащих миротворческого контингента ОДКБ. МВД Казахстана сообщило о "
    "задержании почти 8000 человек. Во всей стране по-прежнему действует режим чрезвычайного "
    "положения.")
RU_B = (
    "Саммит ОДКБ: в Казахстане задержаны около 8 тысяч человек",
    "Около 8 тысяч человек задержаны в Казахстане после беспорядков, сообщило МВД республики "
    "в понедельник. В стране развернуты 2030 военнослужащих миротворческих сил ОДКБ. На всей "
    "территории Казахстана введено чрезвычайное положение.")
RU_UPDATE = (
    "Число задержанных в Казахстане выросло до 12 тысяч",
    "Число задержанных в Казахстане после беспорядков выросло почти до 12 тысяч человек, "
    "сообщило МВД республики. В стране действует чрезвычайное положение.")
OTHER_DAY = (
    "Kazakhstan: 300 detained at rally in Shymkent",
    "Police in Shymkent detained 300 people at an unauthorised rally on Tuesday, the "
    "regional police department said.")
TYPES = {ALICE: ("Troop deployment", "State of emergency", "Mass detention"),
         BORIS: ("Переброска войск", "Чрезвычайное положение", "Массовые задержания")}


def _feed(name: str, link: str, date: str, article: tuple[str, str]) -> str:
    return wire_rss([(article[0], f"http://{name}.test/{link}", date, article[1])])


async def test_reference_rewrites_and_update_one_message_per_subscriber_issue12(
    app_factory: Callable[[], Eventwatch], fake_bot_api: FakeBotAPI,  # noqa: F811
    feed_server: FeedServer, config_dir: Path,  # noqa: F811
) -> None:
    feeds = {
        "ria": ("/ria.xml", _feed("ria", "a", "Mon, 10 Jan 2022 16:40:00 +0000", RU_A)),
        "tass": ("/tass.xml", _feed("tass", "b", "Mon, 10 Jan 2022 16:50:00 +0000", RU_B)),
        "interfax": ("/ifx.xml", _feed("ifx", "c", "Mon, 10 Jan 2022 18:00:00 +0000",
                                       RU_UPDATE)),
        "later": ("/later.xml", _feed("later", "d", "Tue, 11 Jan 2022 12:00:00 +0000",
                                      OTHER_DAY)),
    }
    with (config_dir / "feeds.yaml").open("a", encoding="utf-8") as out:
        for name, (path, body) in feeds.items():
            feed_server.route(path, body=body)
            language = "en" if name == "later" else "ru"
            out.write(f"  - id: {name}\n    name: {name.title()}\n"
                      f"    url: {feed_server.url(path)}\n    language: {language}\n")

    chats = (ALICE, BORIS)
    async with app_factory() as app:
        await app.start()
        try:
            fake_bot_api.command("start", user_id=ALICE, language_code="en")
            fake_bot_api.command("start", user_id=BORIS, language_code="ru")
            await until(lambda: all(fake_bot_api.texts(c) for c in chats))
            welcome = {c: len(fake_bot_api.messages[c]) for c in chats}
            assert app.scheduler is not None
            await app.scheduler.poll_now("wire")
            await until(lambda: all(len(fake_bot_api.messages[c]) > welcome[c] for c in chats))
            await app.scheduler.poll_now("ria")
            await until(lambda: len(fake_bot_api.edits) >= len(chats))
            await app.scheduler.poll_now("tass")  # within the edit interval: coalesced
            await app.scheduler.poll_now("interfax")
            await until(lambda: all(len(fake_bot_api.messages[c]) >= welcome[c] + 2
                                    for c in chats))
            await app.scheduler.poll_now("later")
            await until(lambda: all(len(fake_bot_api.messages[c]) >= welcome[c] + 3
                                    for c in chats))
            await drained(app.outbox)  # nothing more may follow
        finally:
            await app.stop()

    for chat in chats:
        alerts = fake_bot_api.messages[chat][welcome[chat]:]
        assert len(alerts) == 3, [m.plain for m in alerts]
        original, update, other = alerts
        # One message for the article: three event types, each with its country.
        head = original.plain.split("\n")[:3]
        assert all("Kazakhstan" in line or "Казахстан" in line for line in head), head
        assert sorted(line.split(" · ")[0] for line in head) == sorted(TYPES[chat])
        assert "2,030" in original.plain or "2 030" in original.plain
        assert original.edits <= 2  # source edits only, coalesced
        assert "Ria" in original.plain  # the Russian rewrite joined the story
        # One Update reply: the raised count, from the Russian update.
        assert update.reply_to == original.message_id
        assert "12,000" in update.plain or "12 000" in update.plain
        assert other.reply_to is None and "Shymkent" in other.plain
