"""Admin notices (a failed reload, a dead feed) as one message Telegram accepts.

The text is capped here, where it is built, to Telegram's 4,096 UTF-16 units after
entity parsing: the plain form is sent as is, and the HTML form is the same text
escaped, so both parse to the same capped text. The log keeps the whole text.
"""

from __future__ import annotations

import html

from bot.delivery.render import MAX_MESSAGE, Rendered
from bot.text import clip, utf16_len


def admin_notice(text: str) -> Rendered:
    capped = clip(text, MAX_MESSAGE, measure=utf16_len)
    return Rendered(html=html.escape(capped, quote=False), text=capped)
