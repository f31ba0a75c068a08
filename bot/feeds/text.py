"""Feed text → clean text, by the type the feed gave it.

Markup is turned into text only where the feed says the value is HTML or XHTML.
Plain text keeps every character: "History of the <blink> tag" and "AT&T <S>" are
titles, not markup, and stripping them would lose words (issue 14). Everything is
escaped again where it is rendered (Telegram HTML), so keeping "<" and "&" is safe.
"""

from __future__ import annotations

import html
import re

from bot.feeds.types import Text

_BLOCK_END = re.compile(
    r"<(?:br|hr)\b[^>]*>|</(?:p|div|li|h[1-6]|tr|blockquote|pre|section|article|ul|ol|table)>",
    re.IGNORECASE,
)
_INVISIBLE = re.compile(
    r"<(script|style|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"</?[a-zA-Z!?/][^>]*>?")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_HTML_TYPES = frozenset({"html", "xhtml", "xhtml+xml"})


def is_html_type(mime: str | None) -> bool:
    """feedparser's content types: text/html and application/xhtml+xml are markup;
    text/plain, and anything else, is text."""
    if not mime:
        return False
    subtype = mime.split(";", 1)[0].strip().lower().rpartition("/")[2]
    return subtype in _HTML_TYPES


def html_to_text(value: str | None) -> str:
    """Markup → clean text: tags dropped, entities decoded, one line per block.

    Regexes rather than an HTML parser: feed summaries are small fragments, and this
    runs for every entry of every changed feed (lxml cost ~2.5 ms per 30-entry feed,
    this ~0.3 ms).
    """
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return tidy(value)
    text = _INVISIBLE.sub(" ", value)
    text = _BLOCK_END.sub("\n", text)
    text = _TAG.sub("", text)
    return tidy(html.unescape(text))


def tidy(text: str) -> str:
    """Whitespace normalised: runs of spaces become one, blank lines go, no margins."""
    text = _SPACES.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


def clean(text: Text | None) -> str:
    """A typed feed text as clean text: HTML is turned into text, plain text is kept."""
    if text is None or not text.value:
        return ""
    return html_to_text(text.value) if text.kind == "html" else tidy(text.value)
