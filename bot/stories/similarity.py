"""Near-duplicate text: normalisation, shingles, MinHash/LSH bands and the text score.

A report's *fingerprint* is the set of its shingles (stemmed words of the headline and
the lead, hashed to 32 bits), plus a MinHash of that set. The MinHash is only used to
find candidates quickly (LSH bands, kept in Redis); the decision itself uses the exact
Jaccard similarity of the shingle sets, which are small enough (≈ 100 × 4 bytes) to keep.

Why these shingles (measured on tests/data/stories, see bench/stories.py):
- stemmed unigrams of the headline and the first three sentences: rewritten headlines
  and syndicated copies share most of them, while word bigrams lose too much recall;
- names and numbers count twice, because look-alike reports of the same kind of event
  elsewhere share the generic words ("police detained protesters") and differ in
  exactly these ("Yerevan"/"Tbilisi", "180"/"40");
- "2,030" and "2 030" are one number.
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import Stemmer
from datasketch import MinHash

from detectors.tokens import romanise, split_sentences

NUM_PERM = 64
BANDS = 32
ROWS = NUM_PERM // BANDS  # P(candidate) = 1 - (1 - J^2)^32: 0.95 at J = 0.3, 0.27 at J = 0.1
LEAD_SENTENCES = 3
MAX_SHINGLES = 160
_SEED = 20220110

_WORD = re.compile(r"\w+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-я]")
# 2,030 / 2 030 / 8.000 → one token; a year-like "2,0301" is left alone.
_THOUSANDS = re.compile(r"(?<=\d)[,.\s\u00a0\u202f](?=\d{3}(?!\d))")
# A capitalised word inside a sentence, or any number: names, places and figures.
_SALIENT = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:\d[\d,.]*|[A-ZА-ЯЁ][\w-]+)", re.UNICODE)

_STOPWORDS = """
    a an and are as at be been by for from had has have he her his in into is it its of on
    or over said says she than that the their they this to was were which who will with
    would after about also more most almost around some up out not new
    и в во на по с со к ко о об от до за из у не что как это а но же ли бы для при после
    более около почти его ее их он она они был была были было будет также уже еще который
    которые которая заявил заявила сообщил сообщила сообщает
"""
_STOP = frozenset(_STOPWORDS.split())


@lru_cache(maxsize=2)
def _stemmer(algorithm: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(algorithm)


@lru_cache(maxsize=1)
def _permutations() -> object:
    # Built once: a MinHash with the same seed and scheme has the same permutations.
    m = MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=_identity, scheme="affine32")
    return m.permutations


def _identity(value: int) -> int:
    return value


def normalise(text: str) -> str:
    """Lower case, NFKC, ё → е, digit groups joined."""
    text = unicodedata.normalize("NFKC", text)
    text = _THOUSANDS.sub("", text)
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """Stemmed content words, each with the stemmer of its own script."""
    out: list[str] = []
    for word in _WORD.findall(normalise(text)):
        if word in _STOP or (len(word) < 2 and not word.isdigit()):
            continue
        stemmer = _stemmer("russian" if _CYRILLIC.search(word) else "english")
        out.append(stemmer.stemWord(word))
    return out


@lru_cache(maxsize=8)  # a report reads its lead for shingles, dates, names, …: split once
def lead(text: str, count: int = LEAD_SENTENCES) -> str:
    return " ".join(split_sentences(text)[:count])


def shingles(title: str, text: str) -> set[str]:
    """The shingle set of a report: words of headline and lead, names and numbers twice."""
    chunks = [title, lead(text)]
    base = set(words(" ".join(chunks)))
    salient: set[str] = set()
    for chunk in chunks:
        for part in split_sentences(chunk):
            salient.update(words(" ".join(m.group(0) for m in _SALIENT.finditer(part))))
    out = set(base)
    out.update(f"{w}#" for w in salient & base)
    return out


def hash32(shingle: str) -> int:
    return zlib.crc32(shingle.encode("utf-8"))


_MONTHS = (
    r"jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|"
    r"январ\w*|феврал\w*|март\w*|апрел\w*|ма[йяе]|июн\w*|июл\w*|август\w*|сентябр\w*|"
    r"октябр\w*|ноябр\w*|декабр\w*"
)
_DATE = re.compile(rf"\b(?:\d{{1,2}}\s+(?:{_MONTHS})|(?:{_MONTHS})\s+\d{{1,2}})\b", re.IGNORECASE)
_MONTH_KEYS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
               "dec", "янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт",
               "ноя", "дек")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})\b|\b({_MONTHS})\s+(\d{{1,2}})\b",
                        re.IGNORECASE)


def _month(word: str) -> int:
    word = word.lower()
    for i, key in enumerate(_MONTH_KEYS):
        if word.startswith(key):
            return i % 12 + 1
    return 0


def dates(title: str, text: str) -> frozenset[tuple[int, int]]:
    """The (month, day) dates headline and lead mention: "9 August", "9 августа".

    Successive protest days or decrees read alike and differ in exactly these."""
    found: set[tuple[int, int]] = set()
    for m in _DAY_MONTH.finditer(f"{title}\n{lead(text)}"):
        day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if 1 <= int(day) <= 31 and _month(month):
            found.add((_month(month), int(day)))
    return frozenset(found)


# The level of a decision (a decree, a regime): a city's, a region's, the federal or the
# whole country's. Same-day decrees of one country differ in exactly this.
_SCOPES = {
    "federal": re.compile(r"федеральн\w*|\bfederal\b", re.IGNORECASE),
    "regional": re.compile(r"регионал\w*|межмуниципал\w*|\bregional\b|\boblast\b",
                           re.IGNORECASE),
    "municipal": re.compile(r"(?<!меж)муниципал\w*|\bmunicipal\b|\bcity\b|\bгородск\w*",
                            re.IGNORECASE),
    "nationwide": re.compile(
        r"по всей стран\w*|всей территори\w*|во всех регион\w*|по всей республик\w*|"
        r"nationwide|throughout the country|whole country|entire country|all regions",
        re.IGNORECASE),
}


# The stage of a decision: declared, extended or lifted. An extension or a lifting is news
# of its own, not an update of the declaration ("Armenia extends the state of emergency").
_STAGES = {
    "declared": re.compile(r"\bdeclar\w*|\bimpos\w*|\bintroduc\w*|объяв\w*|\bввел\w*|"
                           r"\bввест\w*|\bвведен\w*|\bввод\w*", re.IGNORECASE),
    "extended": re.compile(r"\bextend\w*|\bprolong\w*|продл\w*|пролонг\w*", re.IGNORECASE),
    "lifted": re.compile(r"\blift\w*|\bcancel\w*|\brevok\w*|отмен\w*|\bснят\w*|\bснял\w*|"
                         r"\bснима\w*", re.IGNORECASE),
}


def scopes(title: str, text: str) -> frozenset[str]:
    """The levels of decision a report leads with: federal, regional, municipal,
    nationwide. A regional regime "with a request for federal status" is a regional one."""
    return _leading(title, text, _SCOPES)


def stages(title: str, text: str) -> frozenset[str]:
    """The stages of decision a report leads with: declared, extended, lifted."""
    return _leading(title, text, _STAGES)


def _leading(title: str, text: str, patterns: dict[str, re.Pattern[str]]) -> frozenset[str]:
    """The names whose patterns the headline matches, else the first sentence of the lead
    that matches any."""
    for chunk in (title, *split_sentences(lead(text))):
        found = frozenset(name for name, pattern in patterns.items() if pattern.search(chunk))
        if found:
            return found
    return frozenset()


# Weekdays, inflected: "on Monday", "в понедельник", "в ночь на субботу". Only "среду"
# of Wednesday: "среда" and "среды" are also the environment.
_WEEKDAYS = (
    r"\bmonday\b|\bпонедельник[аеу]?\b", r"\btuesday\b|\bвторник[аеу]?\b",
    r"\bwednesday\b|\bсреду\b", r"\bthursday\b|\bчетверг[аеу]?\b",
    r"\bfriday\b|\bпятниц[аеуы]\b", r"\bsaturday\b|\bсуббот[аеуы]\b",
    r"\bsunday\b|\bвоскресень[еяю]\b",
)
_WEEKDAY = [re.compile(p, re.IGNORECASE) for p in _WEEKDAYS]


def weekdays(title: str, text: str) -> frozenset[int]:
    """The weekdays headline and lead name (0 = Monday): a report with only a date, or
    none, is placed by them ("protesters gathered again on Sunday")."""
    chunk = f"{title}\n{lead(text)}"
    return frozenset(day for day, pattern in enumerate(_WEEKDAY) if pattern.search(chunk))


# A name's key in either script: Cyrillic romanised, then folded to a skeleton that the
# usual romanisations share ("Ереван"/"Yerevan", "Токаев"/"Tokayev", "Кыргызстан"/
# "Kyrgyzstan", "Хорог"/"Khorog", "Джалал-Абад"/"Jalal-Abad": y, ы, й and h dropped,
# дж is j), cut to five letters so that inflections agree ("Минске"/"Minsk").
# A standard transliteration library would still need this folding, so none is used.
_FOLD = str.maketrans({"y": None, "h": None, "c": "k", "q": "k", "w": "v", "x": "ks"})
_NOT_LATIN = re.compile(r"[^a-z]")
_DOUBLED = re.compile(r"(.)\1")
NAME_KEY = 5
MAX_NAMES = 48


def name_key(word: str) -> str | None:
    """The key under which a name matches across scripts and cases; None if too short."""
    roman = _NOT_LATIN.sub("", romanise(word.lower())).replace("dzh", "j")
    roman = roman.translate(_FOLD)
    key = _DOUBLED.sub(r"\1", roman)
    return key[:NAME_KEY] if len(key) >= 4 else None


# English capitalises these; they are dates, not names.
_NOT_NAMES = frozenset((
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
))


def names(title: str, text: str) -> frozenset[str]:
    """Keys of the names headline and lead give (capitalised words inside a sentence),
    comparable across English and Russian: two reports of one event name the same
    people, places and bodies, and look-alike events elsewhere name others."""
    found: set[str] = set()
    for chunk in (title, lead(text)):
        for part in split_sentences(chunk):
            for m in _SALIENT.finditer(part):
                word = m.group(0)
                key = None if word[0].isdigit() or word.lower() in _NOT_NAMES else (
                    name_key(word))
                if key:
                    found.add(key)
    return frozenset(sorted(found)[:MAX_NAMES])


_YEAR = re.compile(r"(?<![\d.,])(?:19[5-9]\d|20[0-4]\d)(?![\d.,]\d)")


def years(title: str, text: str) -> frozenset[int]:
    """The years headline and lead mention: 2020's protests are not 2021's."""
    return frozenset(int(y) for y in _YEAR.findall(f"{title}\n{lead(text)}"))


_NUMBER = re.compile(
    r"(?<![\w.,])(?:(\d{1,3}(?:[,.\s\u00a0\u202f]\d{3})+)(?![\d,.]\d)|(\d+(?:[.,]\d+)?))"
    r"(?:\s*(thousand|million|тыс\w*|млн|миллион\w*))?",
    re.IGNORECASE,
)


def numbers(title: str, text: str) -> frozenset[int]:
    """The counts a report gives in its headline and lead: 3,000, "3 тысяч", 2.5 million.

    Dates and years are left out: they are not counts, and two reports of one event
    can date it differently. Small numbers (< 10) are too common to tell events apart.
    """
    found: set[int] = set()
    for chunk in (title, lead(text)):
        chunk = _DATE.sub(" ", unicodedata.normalize("NFKC", chunk))
        for m in _NUMBER.finditer(chunk):
            grouped, plain = m.group(1), m.group(2)
            # "2,030" is a count even though 2030 could be a year; "2030" alone is not.
            value = float(re.sub(r"\D", "", grouped)) if grouped else float(
                plain.replace(",", "."))
            scale = (m.group(3) or "").lower()
            if scale.startswith(("thousand", "тыс")):
                value *= 1000
            elif scale.startswith(("million", "млн", "миллион")):
                value *= 1_000_000
            count = int(value)
            if count >= 10 and not (1900 <= count <= 2100 and not scale and not grouped):
                found.add(count)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    tokens: frozenset[int]  # 32-bit hashes of the shingles
    minhash: tuple[int, ...]  # NUM_PERM values
    numbers: frozenset[int] = frozenset()  # counts in the headline and lead

    def bands(self) -> tuple[str, ...]:
        """One short value per LSH band; equal values make two reports candidates."""
        if not self.tokens:
            return ()
        out = []
        for band in range(BANDS):
            rows = self.minhash[band * ROWS : (band + 1) * ROWS]
            raw = struct.pack(f"<{ROWS}I", *rows)
            out.append(f"{zlib.crc32(raw):08x}")
        return tuple(out)


def fingerprint(title: str, text: str) -> Fingerprint:
    tokens = frozenset(hash32(s) for s in sorted(shingles(title, text))[:MAX_SHINGLES])
    return Fingerprint(tokens, _minhash(tokens), numbers(title, text))


def _minhash(tokens: Iterable[int]) -> tuple[int, ...]:
    values = list(tokens)
    if not values:
        return ()
    m = MinHash(
        num_perm=NUM_PERM,
        seed=_SEED,
        hashfunc=_identity,
        permutations=_permutations(),
        scheme="affine32",
    )
    m.update_batch(values)
    return tuple(int(v) for v in m.hashvalues)


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def pack_tokens(tokens: Iterable[int]) -> bytes:
    return np.array(sorted(tokens), dtype="<u4").tobytes()


def unpack_tokens(raw: bytes) -> frozenset[int]:
    return frozenset(int(v) for v in np.frombuffer(raw, dtype="<u4"))
