"""Cutting text to a size for display: one way, with an ellipsis, at a word when near.

Lengths are measured by `measure`: characters by default, UTF-16 units for Telegram
(`utf16_len`), whose limits count an emoji as two. Cut plain text *before* escaping or
formatting it, so no entity or tag is ever split.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

ELLIPSIS = "…"
_TRAILING = " ,;:—-"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int, *, measure: Callable[[str], int] = len) -> str:
    """`text` if it fits in `limit`, else its start and an ellipsis, cut between words when
    a word boundary lies in the second half (a very long word is cut through)."""
    if measure(text) <= limit:
        return text
    room = limit - measure(ELLIPSIS)
    if room <= 0:
        return ELLIPSIS[: max(limit, 0)]
    cut = 0
    units = 0
    for i, ch in enumerate(text):  # whole code points: a surrogate pair is never split
        units += measure(ch)
        if units > room:
            break
        cut = i + 1
    head = text[:cut]
    if not text[cut].isspace():  # the cut falls inside a word: go back to its start
        space = head.rfind(" ")
        if space >= cut / 2:
            head = head[:space]
    return head.rstrip(_TRAILING) + ELLIPSIS


def clip_lines(lines: Sequence[str], limit: int, *,
               more: Callable[[int], str] = lambda n: f"{ELLIPSIS} and {n} more") -> str:
    """The lines, one per line, within `limit` characters: as many whole lines as fit,
    then a line saying how many were left out (`more`)."""
    whole = "\n".join(lines)
    if len(whole) <= limit:
        return whole
    for keep in range(len(lines) - 1, 0, -1):
        body = "\n".join([*lines[:keep], more(len(lines) - keep)])
        if len(body) <= limit:
            return body
    tail = more(len(lines) - 1) if len(lines) > 1 else ""
    first = clip(lines[0], limit - len(tail) - 1 if tail else limit)
    return f"{first}\n{tail}" if tail else first
