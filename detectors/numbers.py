"""Quantities in text: digits, number words, "8 тыс.", and vague amounts ("dozens").

A quantity is found on the token stream; what it counts is decided later by the
rule (the next few words must name something the rule counts, e.g. "troops").
"""

from __future__ import annotations

from typing import NamedTuple

# Vague plurals get a conventional value: enough for a "≥ 20" threshold.
VAGUE: dict[str, int] = {
    "dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "tens": 20,
    "десятки": 20, "десятков": 20, "десятками": 20, "сотни": 200, "сотен": 200,
    "сотнями": 200, "тысячи": 2000, "тысяч": 2000, "тысячами": 2000,
}
WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "dozen": 12, "один": 1, "два": 2, "двое": 2, "три": 3, "трое": 3, "четыре": 4,
    "пять": 5, "пятеро": 5, "шесть": 6, "семь": 7, "восемь": 8, "девять": 9,
    "десять": 10, "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50,
    "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80, "девяносто": 90, "сто": 100,
    "двести": 200, "триста": 300, "четыреста": 400, "пятьсот": 500, "тысяча": 1000,
    "дюжина": 12,
    # oblique cases: "около шестидесяти человек", "более двухсот задержанных"
    "двух": 2, "трех": 3, "четырех": 4, "пяти": 5, "шести": 6, "семи": 7, "восьми": 8,
    "девяти": 9, "десяти": 10, "двадцати": 20, "тридцати": 30, "сорока": 40,
    "пятидесяти": 50, "шестидесяти": 60, "семидесяти": 70, "восьмидесяти": 80,
    "девяноста": 90, "ста": 100, "двухсот": 200, "трехсот": 300, "четырехсот": 400,
    "пятисот": 500, "полусотни": 50, "сотня": 100, "сотню": 100,
}
MULTIPLIERS: dict[str, int] = {
    "hundred": 100, "thousand": 1000, "million": 1_000_000, "тыс": 1000, "тысяча": 1000,
    "тысячи": 1000, "тысяч": 1000, "млн": 1_000_000, "миллиона": 1_000_000,
    "миллионов": 1_000_000, "миллион": 1_000_000,
}
APPROX: frozenset[str] = frozenset({
    "about", "around", "almost", "nearly", "approximately", "some", "over", "roughly",
    "estimated", "least", "than", "up", "около", "почти", "более", "свыше", "порядка",
    "примерно", "приблизительно", "менее", "больше", "до",
})
# Words between a number and the noun it counts that do not break the link.
_A_WORDS = frozenset({"a", "an"})
# "several dozen", "a few dozen": more than one dozen, so as vague as "dozens"
_SOME = frozenset({"several", "few", "some", "many"})
_APPROX_BEFORE = APPROX | _SOME
_AGE = frozenset({"year", "years"})
_HALF = frozenset({"полтора", "полутора"})
# "арест на 15 суток", "held for 30 days": a duration, not a count of anything
_DURATION = frozenset({
    "days", "day", "hours", "hour", "weeks", "months", "minutes", "суток", "сутки", "дней", "дня",
    "часов", "часа", "недель", "недели", "месяцев", "месяца", "минут",
})
# "Commission 44", "Group 24", "статья 212": a number that names a thing, not a count
_NAMED = frozenset({
    "commission", "group", "article", "articles", "section", "paragraph", "clause", "part",
    "комиссия", "комиссии", "группа", "группы", "статья", "статьи", "статье", "статьей",
    "часть", "части", "пункт", "пункта",
})
MONTHS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "января", "февраля", "марта", "апреля", "мая", "июня", "июля",
    "августа", "сентября", "октября", "ноября", "декабря",
    # "в январе 2022 года"
    "январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре",
    "октябре", "ноябре", "декабре",
})
# Words that may stand between a verb and its count: "arrested more than 180".
LINKING: frozenset[str] = APPROX | frozenset({
    "a", "total", "of", "at", "не", "the", "another", "rose", "risen", "reached", "exceeded",
    "topped", "stood", "is", "was", "now", "to", "превысило", "превысил", "составило",
    "составляет", "достигло", "достиг", "уже", "выросло",
})


class Quantity(NamedTuple):
    value: int
    start: int  # first token
    end: int  # one past the last token
    approximate: bool


def _digits(token: str) -> int | None:
    raw = token.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in raw or "." in raw:
        head, _, tail = raw.replace(",", ".").rpartition(".")
        if len(tail) == 3 and head.replace(".", "").isdigit():
            return int(head.replace(".", "") + tail)
        try:
            return int(float(raw.replace(",", ".")))
        except ValueError:
            return None
    return int(raw) if raw.isdigit() else None


def _fraction(token: str) -> float | None:
    raw = token.replace(",", ".")
    try:
        return float(raw) if raw.count(".") == 1 else None
    except ValueError:
        return None


def find_quantities(words: tuple[str, ...]) -> list[Quantity]:
    out: list[Quantity] = []
    n = len(words)
    i = 0
    while i < n:
        w = words[i]
        value: float | None = None
        end = i + 1
        if w[0].isdigit():
            frac = _fraction(w)
            value = _digits(w)
            if end < n and words[end] in MULTIPLIERS:
                grouped = len(w.replace(",", ".").split(".")[-1]) == 3  # "1,500" vs "1,5"
                base = frac if frac is not None and not grouped else value
                value = (base or 0) * MULTIPLIERS[words[end]]
                end += 1
        elif w in VAGUE:
            value = VAGUE[w]
            if i > 0 and words[i - 1] in _HALF and w.startswith("десят"):
                value = 15  # "более полутора десятков": about fifteen, not dozens
        elif w in WORDS:
            value = WORDS[w]
            # "two hundred", "twenty five", "three thousand"
            while end < n and (words[end] in WORDS or words[end] in MULTIPLIERS):
                nxt = words[end]
                if nxt == "dozen":
                    value *= 12
                elif nxt in MULTIPLIERS and MULTIPLIERS[nxt] >= 100:
                    value *= MULTIPLIERS[nxt]
                elif WORDS.get(nxt, 0) < 10 and value >= 20:
                    value += WORDS[nxt]
                else:
                    break
                end += 1
            if w == "dozen" and i > 0 and words[i - 1] in WORDS:
                i += 1
                continue
            if w == "dozen" and i > 0 and words[i - 1] in _SOME:
                value = VAGUE["dozens"]
        elif w in _A_WORDS and i + 1 < n and words[i + 1] in ("dozen", "hundred", "thousand"):
            value = WORDS[words[i + 1]]
            end = i + 2
        if value is not None and end < n and (
            words[end].startswith("летн") or (words[end] in _AGE and end + 1 < n
                                               and words[end + 1] == "old")
        ):
            value = None  # an age: "28-летняя", "20 years old"
        if value is not None and end < n and words[end] in _DURATION:
            value = None
        if value is not None and w[0].isdigit() and i > 0 and words[i - 1] in _NAMED:
            value = None
        if value is not None and w[0].isdigit() and (
            (end < n and words[end] in MONTHS) or (i > 0 and words[i - 1] in MONTHS)
        ):
            value = None  # a date: "20 декабря", "August 13"
        if value is not None and value > 0:
            if 1900 <= value <= 2100 and w.isdigit() and end == i + 1:
                # a bare year-like number is a year, not a count
                i = end
                continue
            approx = (i > 0 and words[i - 1] in _APPROX_BEFORE) or w in VAGUE
            out.append(Quantity(int(value), i, end, bool(approx)))
        i = end
    return out
