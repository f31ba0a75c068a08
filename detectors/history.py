"""Historical cues: a mention of a past event is background, not news.

Two cues mark token positions that the "historical" guard then treats like its
lexicon's cue words: a year before the publication's, after "in"/"в" or a
month ("In January 2022, troops were deployed…"), and "when" a few words
after a year in its sentence ("the 2020 protests, when 35,000 were detained").
"""

from __future__ import annotations

from detectors.numbers import MONTHS
from detectors.tokens import Tokens

_WHEN = frozenset({"when", "когда"})
_YEAR_BEFORE = frozenset({"in", "of", "during", "в", "во", "за"}) | MONTHS


def past_years(toks: Tokens, year: int, month: int) -> list[int]:
    """ "In January 2022, troops were deployed…" in an article of 2024 is background:
    a year before the publication's, after "in"/"в" or a month, is a historical cue."""
    out: list[int] = []
    words = toks.words
    for i, w in enumerate(words):
        if len(w) == 4 and w.isdigit() and i and words[i - 1] in _YEAR_BEFORE:
            y = int(w)
            if 1900 <= y < year and not (y == year - 1 and month == 1):
                out.append(i)
    return out


def historical_when(toks: Tokens) -> list[int]:
    """ "the 2020 protests in Belarus, when 35,000 were detained": a past year, then "when"."""
    out: list[int] = []
    words = toks.words
    if not any(w in words for w in _WHEN):
        return out
    for i, word in enumerate(words):
        if word in _WHEN:
            sent = toks.sentence_of[i]
            for j in range(max(toks.sentence_start[sent], i - 12), i):
                w = words[j]
                if len(w) == 4 and w.isdigit() and 1900 <= int(w) <= 2100:
                    out.append(i)
                    break
    return out
