"""Reference material shared by tests: the Kazakhstan/CSTO article of 10 January 2022, two
other outlets' rewrites of it, a feed that carries it, and an archived week around it."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path

from bot.archive.types import ArchivedEntry
from bot.types import Entry

DATA = Path(__file__).resolve().parent / "data"
# A copy of ../shared/samples/kazakhstan-csto-2022-01-10.txt, so the suite runs anywhere.
REFERENCE_ARTICLE = DATA / "kazakhstan-csto-2022-01-10.txt"

ALICE, BORIS = 1001, 1002  # an English and a Russian user

REWRITE_A = (
    "Vladimir Putin on Monday described the unrest in Kazakhstan as an aggression of "
    "international terrorism and said Maidan technologies had been used, speaking at an online "
    "summit of the Collective Security Treaty Organisation. Kazakh President Kassym-Jomart "
    "Tokayev told the leaders that order had been restored after an attempted coup, and that "
    "2,030 troops and 250 units of equipment of the CSTO peacekeeping mission are deployed in the "
    "country. Sixteen members of the security forces were killed. The interior ministry said "
    "almost 8,000 people had been detained, and a state of emergency remains in force nationwide."
)
REWRITE_B = (
    "The number of people detained in Kazakhstan after the unrest has risen to nearly 12,000, the "
    "interior ministry said on Monday, as leaders of the Russia-led CSTO met online. Vladimir "
    "Putin called the events an aggression of international terrorism. According to Tokayev, "
    "2,030 CSTO troops and 250 units of equipment are deployed in the country. A state of "
    "emergency is in force throughout the country."
)


def wire_rss(items: list[tuple[str, str, str, str]]) -> str:
    body = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(link)}</link>"
        f"<guid>{html.escape(link)}</guid><pubDate>{date}</pubDate>"
        f"<description>{html.escape(text)}</description></item>"
        for t, link, date, text in items
    )
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Wire</title><link>http://wire.test/</link>{body}</channel></rss>")


def reference_feed() -> str:
    article = REFERENCE_ARTICLE.read_text(encoding="utf-8").strip().splitlines()[:-1]  # no byline
    return wire_rss([
        ("Putin explains deployment of CSTO troops in Kazakhstan",
         "http://wire.test/kz-csto", "Mon, 10 Jan 2022 16:20:00 +0000", "\n".join(article)),
        ("Central bank keeps key rate unchanged", "http://wire.test/rate",
         "Mon, 10 Jan 2022 12:00:00 +0000",
         "The central bank kept its key rate at 4.5% on Monday as inflation slowed."),
    ])


def archived(feed: str, n: int, title: str, text: str, hour: int,
             seen: datetime | None = None) -> ArchivedEntry:
    at = datetime(2022, 1, 10, hour, tzinfo=UTC)
    return ArchivedEntry(f"{feed}-{n}", Entry(
        feed, f"http://{feed}.test/{n}", f"http://{feed}.test/{n}", title, text, at, "en",
        f"h{n}", feed.title()), seen or at)


def week() -> list[ArchivedEntry]:
    return [
        archived("wire", 1, "Putin explains deployment of CSTO troops in Kazakhstan",
                 REFERENCE_ARTICLE.read_text(encoding="utf-8"), 16),
        archived("steppe", 2, "CSTO summit: Putin blames terrorism for Kazakhstan unrest",
                 REWRITE_A, 17),
        archived("eurasia", 3, "Kazakhstan: detentions rise to 12,000", REWRITE_B, 18),
        archived("wire", 4, "Central bank keeps key rate unchanged",
                 "The central bank kept its key rate at 4.5% on Monday.", 19),
    ]
