"""Plain-text feed titles, from the feed to the Telegram message (issue 14): the parser
keeps their "<" and "&", and the renderer escapes them."""

from __future__ import annotations

from bot.delivery.render import render_alert
from bot.feeds.parse import parse_feed
from tests.alerts import make_alert
from tests.fakebotapi import parse_html

RSS = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
<item><title>AT&amp;T: history of the &lt;blink&gt; tag &lt;/example&gt;</title>
<link>https://x.example/1</link>
<description>Plain? No: RSS descriptions are HTML, so &lt;b&gt;this&lt;/b&gt; is bold.</description>
</item></channel></rss>"""


def test_plain_text_title_reaches_telegram_escaped_issue14() -> None:
    (entry,) = parse_feed(RSS, feed_id="t", url="https://x.example/rss").entries
    assert entry.title == "AT&T: history of the <blink> tag </example>"
    assert entry.text == "Plain? No: RSS descriptions are HTML, so this is bold."
    rendered = render_alert(make_alert(title=entry.title, summary=entry.text, url=entry.url))
    assert "AT&amp;T: history of the &lt;blink&gt; tag &lt;/example&gt;" in rendered.html
    assert "<blink>" not in rendered.html
    # What Telegram shows (its own HTML parse) and the plain-text fallback.
    assert entry.title in parse_html(rendered.html)
    assert entry.title in rendered.text
