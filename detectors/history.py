"""Historical cues: a mention of a past event is background, not news.

Three cues mark token positions that the "historical" guard then treats like its
lexicon's cue words: a year before the publication's, after "in"/"в" or a
month ("In January 2022, troops were deployed…"); a date with no year whose month
lies later in the year than the publication's, so last year ("on September 27" in
March); and "when" a few words after a year in its sentence ("the 2020 protests,
when 35,000 were detained").
"""

from __future__ import annotations

from detectors.numbers import MONTHS
from detectors.tokens import Tokens

_WHEN = frozenset({"when", "когда"})
_MONTH_LEAD = frozenset({"in", "on", "late", "early", "mid", "в", "во"})
# a season names a time as a month does: "осенью 2022-го", "летом 2012 года", "autumn 2022"
_SEASONS = frozenset({"spring", "summer", "autumn", "fall", "winter",
                      "весной", "летом", "осенью", "зимой", "весна", "лето", "осень", "зима"})
_YEAR_BEFORE = frozenset({"in", "of", "during", "в", "во", "за"}) | MONTHS | _SEASONS


def past_years(toks: Tokens, year: int, month: int) -> list[int]:
    """ "In January 2022, troops were deployed…" in an article of 2024 is background:
    a year before the publication's, after "in"/"в", a month or a season, is a historical
    cue."""
    out: list[int] = []
    words = toks.words
    for i, w in enumerate(words):
        if len(w) == 4 and w.isdigit() and i and words[i - 1] in _YEAR_BEFORE:
            y = int(w)
            if 1900 <= y < year and not (y == year - 1 and month == 1):
                out.append(i)
    return out


_MONTH_NUMBER = {
    word: number
    for number, words in enumerate((
        ("january", "jan", "января", "январе"), ("february", "feb", "февраля", "феврале"),
        ("march", "марта", "марте"), ("april", "apr", "апреля", "апреле"), ("may", "мая", "мае"),
        ("june", "jun", "июня", "июне"), ("july", "jul", "июля", "июле"),
        ("august", "aug", "августа", "августе"),
        ("september", "sep", "sept", "сентября", "сентябре"),
        ("october", "oct", "октября", "октябре"), ("november", "nov", "ноября", "ноябре"),
        ("december", "dec", "декабря", "декабре"),
    ), start=1)
    for word in words
}
# a term or a span still running: "until 27 September", "since September 27", "с 27 сентября"
_UNTIL = frozenset({"until", "till", "through", "to", "до", "по", "since", "from", "с", "со"})
_IN = frozenset({"в", "во"})


def past_months(toks: Tokens, month: int) -> list[int]:
    """ "on September 27" (no year) in an article of March is last year's: background. Two
    months' margin; "until 27 September", "до 27 сентября" is a term, not a date past."""
    out: list[int] = []
    words = toks.words
    n = len(words)
    for i in [i for i, w in enumerate(words) if w in _MONTH_NUMBER]:
        w = words[i]
        if _MONTH_NUMBER[w] < month + 2:
            continue
        day_before = i > 0 and words[i - 1].isdigit() and len(words[i - 1]) <= 2
        day_after = i + 1 < n and words[i + 1].isdigit() and len(words[i + 1]) <= 2
        if not (day_before or day_after or (w.endswith("е") and i > 0 and words[i - 1] in _IN)):
            continue  # "may" the modal; "в сентябре" needs no day
        start = i - 1 if day_before else i
        after = i + 1 + day_after
        if after < n and len(words[after]) == 4 and words[after].isdigit():
            continue  # a year follows: `past_years` decides
        if any(words[j] in _UNTIL for j in range(max(0, start - 2), start)):
            continue
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


def past_dates(toks: Tokens, year: int, month: int) -> list[int]:
    """ "Armenia declared martial law on September 27" in an article of March: a date two
    months or more before the publication (its year assumed, else the year before) is
    background. A date in a span ("since", "until", "с", "до") is not."""
    out: list[int] = []
    words = toks.words
    if _MONTH_NUMBER.keys().isdisjoint(words):
        return out  # most texts: one pass in C, no Python loop
    n = len(words)
    for i, w in enumerate(words):
        m = _MONTH_NUMBER.get(w)
        if m is None:
            continue
        day_before = i > 0 and words[i - 1].isdigit() and 1 <= int(words[i - 1]) <= 31
        day_after = i + 1 < n and words[i + 1].isdigit() and 1 <= int(words[i + 1]) <= 31
        if not (day_before or day_after or (i > 0 and words[i - 1] in _MONTH_LEAD)):
            continue  # "May" alone is a modal as often as a month
        start = i - 1 if day_before else i
        if any(words[j] in _UNTIL for j in range(max(0, start - 2), start)):
            continue
        y = year if m <= month else year - 1
        after = i + 2 if day_after else i + 1
        if after < n and len(words[after]) == 4 and words[after].isdigit():
            y = int(words[after])
        if (year * 12 + month) - (y * 12 + m) >= 2:
            out.append(i)
    return out
