"""Short wire articles that each fire one rule for one country (distinct stories), and
an RSS builder: material for tests that need real alerts from several feeds."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

# (title, text): rule mass-detention or state-of-emergency, one watch-list country each.
ARTICLES: tuple[tuple[str, str], ...] = (
    ("Police detain 300 protesters in Almaty",
     "Police in Almaty, Kazakhstan detained 300 protesters on Monday after a rally against "
     "fuel prices."),
    ("Belarus police detain 200 at Minsk rally",
     "Police in Minsk, Belarus detained 200 demonstrators on Sunday during an opposition march."),
    ("Armenian police detain 150 in Yerevan",
     "Police in Yerevan, Armenia detained 150 activists who blocked streets on Tuesday."),
    ("Kyrgyz police detain 120 in Bishkek",
     "Police in Bishkek, Kyrgyzstan detained 120 protesters outside the parliament on "
     "Wednesday."),
    ("Tajikistan declares state of emergency in Khorog",
     "Tajikistan declared a state of emergency in Khorog on Thursday after clashes, the "
     "government said."),
    ("Russia detains 400 anti-war protesters in Moscow",
     "Police in Moscow, Russia detained 400 anti-war protesters on Saturday, a monitoring "
     "group said."),
)


def rss(items: list[tuple[str, str]], *, slug: str = "a",
        published: datetime | None = None) -> str:
    """An RSS 2.0 feed of (title, text) items with stable guids `http://wire.test/{slug}/{i}`."""
    start = published or datetime.now(UTC) - timedelta(minutes=30)
    body = "".join(
        f"<item><title>{html.escape(title)}</title>"
        f"<link>http://wire.test/{slug}/{i}</link><guid>http://wire.test/{slug}/{i}</guid>"
        f"<pubDate>{(start + timedelta(minutes=i)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        f"</pubDate><description>{html.escape(text)}</description></item>"
        for i, (title, text) in enumerate(items)
    )
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Wire {slug}</title><link>http://wire.test/</link>{body}</channel></rss>")
