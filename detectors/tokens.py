"""Text → sentences → clauses → normalised tokens and their stems.

Terms and documents go through the same functions, so a term matches a token
exactly when their normal forms agree. Stems come from Snowball (PyStemmer),
chosen by the token's script and the document language; Russian term words are
also expanded to every inflected form of their lexeme with pymorphy3 at compile
time, so "задержать" matches "задержаны" and "задержали".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import Stemmer

# Numbers keep their digit groups ("2,030", "8 000"); words are letter runs, so
# hyphens and apostrophes split ("Nur-Sultan" → nur sultan, "didn't" → didn t).
# That is `\d{1,3}(?:[,.  ]\d{3})+(?!\d)|\d+(?:[.,]\d+)?|[^\W\d_]+`, written to start
# with one character class (a letter or digit) so the regex engine skips straight to
# each token instead of trying three alternatives at every space: a quarter faster.
_TOKEN = re.compile(
    r"[^\W_](?:(?<=[^\W\d_])[^\W\d_]*"  # a letter: the rest of the letter run
    r"|(?<=\d)(?:\d{0,2}(?:[,.\u00a0\u202f ]\d{3})+(?!\d)|\d*(?:[.,]\d+)?))"  # a digit
)
# The same for a text whose letters and digits are all a-z, а-я and 0-9, as most
# normalised news is: a class of ranges is quicker to test than Unicode categories.
_BASIC_TOKEN = re.compile(
    r"[a-z\u0430-\u044f0-9](?:(?<=[a-z\u0430-\u044f])[a-z\u0430-\u044f]*"
    r"|(?<=[0-9])(?:[0-9]{0,2}(?:[,.\u00a0\u202f ][0-9]{3})+(?![0-9])|[0-9]*(?:[.,][0-9]+)?))"
)
_NOT_BASIC = re.compile(r"[^\W0-9a-z\u0430-\u044f_]")  # any other letter or digit


def _token_pattern(normalised: str) -> re.Pattern[str]:
    return _TOKEN if _NOT_BASIC.search(normalised) else _BASIC_TOKEN

# A sentence ends with punctuation before a capital (or a digit), or with a line break;
# the other alternatives end a clause. The pattern starts with one character class, so
# the regex engine skips straight to the candidates; the lookbehinds then pick the case.
_BOUNDARY = re.compile(
    r"[.!?…;:,\s](?:"
    r"(?<=[.!?…])[\"»”’)]?\s+(?=[«\"“'(]?[A-ZА-ЯЁ\d])"
    r"|(?<=\n)\s*"
    r"|(?<=;)|(?<=:)(?!\d)"  # but "12:00" is a time, not a clause break
    r"|(?<=\s)[—–|]\s"  # a spaced dash; a bar before a site's name ("… | 24.kg")
    r"|(?<=,)(?=\s*(?i:but|while|whereas|although|though|however|а|но|однако|хотя)\b)"
    r"|(?<= )(?=(?i:but|however|однако)\s))",
)
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")

# ISO 639-1 → Snowball algorithm; a language missing here is matched unstemmed.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
_LATIN_DEFAULT = "en"
_CYRILLIC_DEFAULT = "ru"


def _unaccent_table() -> dict[int, str]:
    # Latin letters lose their accents ("Bogotá" → bogota); Cyrillic "й" is kept
    table: dict[int, str] = {ord("ё"): "е", ord("Ё"): "Е", ord("’"): "'"}
    for code in range(0xC0, 0x250):
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c)
        )
        if plain and plain != chr(code):
            table[code] = plain
    return table


_UNACCENT = _unaccent_table()
_ACCENTED = re.compile("[\u00c0-\u024f’]")


def normalise(text: str) -> str:
    """Lowercase, ё → е, no accents on Latin letters: for words or whole texts."""
    text = text.lower()
    if text.isascii():
        return text
    if "ё" in text:
        text = text.replace("ё", "е")
    # Few characters change: replacing just those beats translating every one.
    return _ACCENTED.sub(_unaccent_one, text)


# Lower-case Russian letters in plain Latin, as news romanises names ("Токаев" → "tokaev").
_ROMAN = str.maketrans(dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    strict=True)))


def romanise(word: str) -> str:
    """A lower-case word with its Russian letters in Latin; other characters as they are."""
    return word.translate(_ROMAN)


def _unaccent_one(match: re.Match[str]) -> str:
    char = match.group()
    return _UNACCENT.get(ord(char), char)


def guess_language(text: str) -> str:
    sample = text[:600].lower()
    cyr = len(_CYRILLIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    return "ru" if cyr > latin else "en"


@functools.cache
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    algo = SNOWBALL.get(language)
    return Stemmer.Stemmer(algo) if algo else None


_STEM_CACHE: dict[str, dict[str, str]] = {}
_STEM_CACHE_MAX = 200_000


def stem_words(words: list[str], language: str) -> list[str]:
    """Stems of normalised words: Cyrillic words with Russian, others with `language`."""
    if not words:
        return words
    latin_lang = language if language not in ("ru", "uk", "be", "kk", "ky", "tg") else "en"
    cache = _STEM_CACHE.get(latin_lang)
    if cache is None or len(cache) > _STEM_CACHE_MAX:  # bounded: news vocabulary is open
        cache = _STEM_CACHE[latin_lang] = {}
    try:  # the common case, every word seen before: one pass in C
        return list(map(cache.__getitem__, words))
    except KeyError:
        pass
    missing = sorted({w for w in words if w not in cache})
    for word, stem in zip(missing, _stem_uncached(missing, latin_lang), strict=True):
        cache[word] = stem
    return [cache[w] for w in words]


def _stem_uncached(words: list[str], latin_lang: str) -> list[str]:
    out = list(words)
    cyr_idx = [i for i, w in enumerate(words) if "а" <= w[0] <= "я"]
    cyr_set = set(cyr_idx)
    lat_idx = [i for i in range(len(words)) if i not in cyr_set]
    for idx, lang in ((cyr_idx, _CYRILLIC_DEFAULT), (lat_idx, latin_lang)):
        if not idx:
            continue
        stemmer = _stemmer(lang) or (_stemmer(_LATIN_DEFAULT) if lang == latin_lang else None)
        if stemmer is None:
            continue
        stems = stemmer.stemWords([words[i] for i in idx])
        for i, s in zip(idx, stems, strict=True):
            out[i] = s
    return out


def tokenize(text: str) -> list[str]:
    text = normalise(text)
    result: list[str] = _token_pattern(text).findall(text)
    return result


@dataclass(frozen=True, slots=True)
class Tokens:
    """A document as parallel token arrays, plus sentence and clause boundaries."""

    words: tuple[str, ...]  # normalised surface forms
    stems: tuple[str, ...]
    sentence_of: tuple[int, ...]  # token → sentence index
    clause_of: tuple[int, ...]  # token → clause index (global)
    sentences: tuple[str, ...]  # original sentence text
    sentence_start: tuple[int, ...]  # sentence → first token
    zone: tuple[int, ...]  # sentence → 0 title, 1 lead, 2 body


# Words that end in a full stop without ending the sentence ("Gen. Smith", "8 тыс. человек").
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "gen", "col", "lt", "sgt", "capt", "gov",
    "sen", "rep", "jr", "sr", "no", "vs", "etc", "inc", "ltd", "co", "corp", "jan",
    "feb", "mar", "apr", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k",
    "u.n", "e.g", "i.e", "г", "гг", "ул", "им", "т.е", "т.к", "т.д", "т.п", "др",
    "пр", "тыс", "млн", "млрд", "руб", "долл", "см", "стр", "обл", "р-н",
})
_PAST_ABBREVIATIONS = max(map(len, _ABBREVIATIONS)) + 1
_LAST_WORD = re.compile(r"[\w.-]+$")


def _after_abbreviation(text: str, end: int) -> bool:
    """Does the full stop at text[end] close an initial ("V. Putin") or an abbreviation?"""
    if end >= _PAST_ABBREVIATIONS and text[end - _PAST_ABBREVIATIONS:end].isalnum():
        return False  # a word longer than every abbreviation
    word = _LAST_WORD.search(text, max(0, end - 12), end)
    if word is None:
        return False
    last = word.group(0).lower()
    return (len(last) == 1 and last.isalpha()) or last in _ABBREVIATIONS


def _mark(match: re.Match[str]) -> str:
    # a sentence end keeps its punctuation, then \x06; a clause end gets \x07 before it
    found = match.group()
    first = found[0]
    if first in ".!?…":
        if first == "." and _after_abbreviation(match.string, match.start()):
            return found
        return found.rstrip() + "\x06"
    if first == "\n":
        return "\x06"
    return "\x07" + found


def _marked_sentences(text: str) -> list[str]:
    return [s for s in _BOUNDARY.sub(_mark, text).split("\x06") if s.strip("\x07 \t\r\n")]


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` as the detectors see them, whitespace collapsed; a line
    break always ends one. The one splitter for evidence, summaries and similarity."""
    return [" ".join(s.replace("\x07", "").split()) for s in _marked_sentences(text)]


_COMMA = re.compile(r",\s")


def comma_pieces(toks: Tokens, sentence: int) -> tuple[int, ...]:
    """Where each comma-parted piece of a sentence starts, as token indexes: "мобилизованные,
    призванные в Пермском крае, отправились в зону СВО" has three. Only the sentence's
    start when the pieces' tokens don't add up to the sentence's (a comma inside a token)."""
    start = toks.sentence_start[sentence]
    if "," not in toks.sentences[sentence]:
        return (start,)
    end = (toks.sentence_start[sentence + 1] if sentence + 1 < len(toks.sentence_start)
           else len(toks.words))
    text = normalise(toks.sentences[sentence])
    findall = _token_pattern(text).findall
    starts = []
    at = start
    for piece in _COMMA.split(text):
        starts.append(at)
        at += len(findall(piece))
    return tuple(starts) if at == end else (start,)


# A wire dateline at the start of the lead: a city in capitals, maybe its country, maybe a
# date ("MONS, Belgium, April 10", "ALMATY, January 8. /TASS/.", "BISHKEK —").
_DATELINE = re.compile(
    r"[A-ZА-ЯЁ][A-ZА-ЯЁ'\-]{2,}(?:[ \-][A-ZА-ЯЁ][A-ZА-ЯЁ'\-]+)*"
    r"(?:,\s*[A-ZА-ЯЁ][a-zа-яё]+(?:[ \-][A-ZА-ЯЁ][a-zа-яё]+)?(?=\s*,))?(?=\s*[,.(/—–-])"
)


def dateline_end(toks: Tokens) -> int:
    """The token after the lead's dateline (its first token when there is none): where a
    report was filed, not where its news happens."""
    lead = next((i for i, z in enumerate(toks.zone) if z == 1), None)
    if lead is None:
        return 0
    start = toks.sentence_start[lead]
    found = _DATELINE.match(toks.sentences[lead])
    if found is None:
        return start
    text = normalise(found.group())
    return start + len(_token_pattern(text).findall(text))


def analyse(title: str, text: str, language: str) -> Tokens:
    """Sentences, clauses and tokens in one pass of one regex over the document."""
    title_part = _marked_sentences(title)
    body = _marked_sentences(text)
    marked = [s.strip() for s in (*title_part, *body)]
    sentences = tuple(s.replace("\x07", "") for s in marked)
    zones = (0,) * len(title_part) + (1,) * min(1, len(body)) + (2,) * max(0, len(body) - 1)
    words: list[str] = []
    sentence_of: list[int] = []
    clause_of: list[int] = []
    starts: list[int] = []
    clause = 0
    normalised = normalise("\x06".join(marked))
    findall = _token_pattern(normalised).findall
    for sentence, text_of_sentence in enumerate(normalised.split("\x06")):
        starts.append(len(words))
        for piece in text_of_sentence.split("\x07"):
            found = findall(piece)
            words += found
            sentence_of += [sentence] * len(found)
            clause_of += [clause] * len(found)
            clause += 1
    stems = stem_words(words, language)
    return Tokens(
        words=tuple(words), stems=tuple(stems), sentence_of=tuple(sentence_of),
        clause_of=tuple(clause_of), sentences=sentences, sentence_start=tuple(starts),
        zone=zones,
    )


@functools.cache
def morph_analyzer() -> object | None:
    try:
        import pymorphy3  # type: ignore[import-untyped,unused-ignore]
    except ImportError:  # pragma: no cover - pymorphy3 is a dependency
        return None
    analyzer: object = pymorphy3.MorphAnalyzer()
    return analyzer


_VERB_TAGS = frozenset({"INFN", "VERB", "PRTF", "PRTS", "GRND"})


@functools.cache
def is_russian_verb(word: str) -> bool:
    morph = morph_analyzer()
    if morph is None or not ("а" <= word[0] <= "я"):
        return False
    parses = morph.parse(word)  # type: ignore[attr-defined]
    return bool(parses) and parses[0].tag.POS in _VERB_TAGS


@functools.cache
def russian_forms(word: str) -> frozenset[str]:
    """Every inflected form of the word's most likely lexeme (normalised), with itself."""
    morph = morph_analyzer()
    forms = {word}
    if morph is None or not ("а" <= word[0] <= "я"):
        return frozenset(forms)
    parses = morph.parse(word)  # type: ignore[attr-defined]
    for parse in parses[:1]:
        # future and imperative forms ("отправит", "введите") announce, they do not report
        forms.update(
            normalise(f.word) for f in parse.lexeme
            if "futr" not in f.tag and "impr" not in f.tag
        )
    return frozenset(forms)


# Case endings of a masculine noun in a consonant, for place names the dictionary misreads
_NOUN_ENDINGS = ("", "а", "у", "ом", "е")


@functools.cache
def place_forms(word: str) -> frozenset[str]:
    """The case forms of a place name: the dictionary's noun reading (a place, if it has
    one), never a verb or adjective that happens to share the spelling ("Сюник",
    "Жанаозен"); unknown names in a consonant take the regular noun endings."""
    morph = morph_analyzer()
    forms = {word}
    if morph is None or not ("а" <= word[0] <= "я"):
        return frozenset(forms)
    parses = morph.parse(word)  # type: ignore[attr-defined]
    nouns = [p for p in parses if "NOUN" in p.tag and p.normal_form == word]
    nouns.sort(key=lambda p: "Geox" not in p.tag)
    if nouns:
        forms.update(normalise(f.word) for f in nouns[0].lexeme if "plur" not in f.tag)
    elif word[-1] not in "аеёиоуыэюяйь":
        forms.update(word + ending for ending in _NOUN_ENDINGS)
    return frozenset(forms)
